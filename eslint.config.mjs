import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Forbids imports that would carry code across a process boundary. */
function boundary(message, patterns, paths = []) {
  return {
    'no-restricted-imports': [
      'error',
      {
        ...(paths.length ? { paths: paths.map((name) => ({ name, message })) } : {}),
        patterns: patterns.map((group) => ({ group: [group], message })),
      },
    ],
  };
}

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'release/**',
      'node_modules/**',
      'coverage/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/main/**', 'migrations/**', 'tests/**', 'bench/**', 'scripts/**', 'harness/**', '*.config.*', '.ci/**'],
    languageOptions: { globals: globals.node },
  },
  {
    // Developer scripts and benchmarks talk to a terminal.
    files: ['scripts/**', 'bench/**', 'harness/web.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['harness/client.ts'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: globals.browser },
    rules: boundary(
      'The renderer is DOM only: reach the station through window.plainview, never main code, Electron or Node.',
      ['**/main/**', '**/preload/**', '**/migrations/**', 'node:*'],
      ['electron', ...nodeBuiltins],
    ),
  },
  {
    files: ['src/shared/**'],
    rules: boundary(
      'src/shared is pure TypeScript used by every process: no main, preload, renderer, Electron or Node imports.',
      ['**/main/**', '**/preload/**', '**/renderer/**', '**/migrations/**', 'node:*'],
      ['electron', ...nodeBuiltins],
    ),
  },
  {
    files: ['src/preload/**'],
    rules: boundary(
      'The preload is the bridge only: Electron and src/shared, nothing from main or the renderer.',
      ['**/main/**', '**/renderer/**', '**/migrations/**', 'node:*'],
      nodeBuiltins,
    ),
  },
  {
    files: ['src/main/**'],
    rules: boundary('Main never imports the renderer or the preload.', ['**/renderer/**', '**/preload/**']),
  },
);
