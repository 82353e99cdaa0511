import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The drill's kernel-mode and Chromium tests need Debian packages: installed if missing, once per run.
export default mergeConfig(shared, defineConfig({ test: { globalSetup: ['test/drill-tools-setup.ts'] } }));
