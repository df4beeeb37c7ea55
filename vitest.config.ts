// The benchmark suite. Models come from models.yaml (one Vitest project each); see README.
import { defineConfig } from 'vitest/config';
import { suiteConfig } from './src/setup/vitest-suite.ts';

export default defineConfig(suiteConfig());
