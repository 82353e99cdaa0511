import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// npm install into a fresh project takes a while on a cold cache.
export default mergeConfig(shared, defineConfig({ test: { testTimeout: 240_000, hookTimeout: 300_000 } }));
