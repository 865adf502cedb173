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

/** Rooms inside src/main, by layer (docs/architecture.md, "Rooms"). Imports go down, never up. */
const DOMAIN = ['actuation', 'alarms', 'limits', 'incidents', 'handover', 'operators', 'audit', 'fleet'];
const TRANSPORTS = ['api', 'ipc', 'shell', 'update', 'cli', 'sim'];
const rooms = (names) => names.map((n) => `../${n}/*`);

/**
 * One no-restricted-imports block per group of files in src/main (a later block replaces an
 * earlier one's options for the same rule, so each block carries all its patterns):
 * - nothing in main imports the renderer or the preload;
 * - only the shell (index.ts, shell/, update/, ipc/electron.ts) imports Electron;
 * - domain rooms never import a transport, the shell or the simulator;
 * - field, telemetry, sync and console never import a domain room or a transport; telemetry and
 *   sync never import the field (the field hands data down to them, and gets ports back);
 * - history (the files samples are kept in) imports only the store's helpers, config and log;
 * - store imports none of the rooms above it.
 */
function mainRooms() {
  const processes = ['**/renderer/**', '**/preload/**'];
  const electron = ['electron', 'electron-updater'];
  const electronAllowed = ['src/main/index.ts', 'src/main/shell/**', 'src/main/update/**', 'src/main/ipc/electron.ts'];
  const block = (files, message, patterns, paths = electron, ignores = electronAllowed) => ({
    files,
    ignores,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: paths.map((name) => ({
            name,
            message: 'Only the Electron shell imports Electron: index.ts, shell/, update/, ipc/electron.ts.',
          })),
          patterns: [
            { group: processes, message: 'Main never imports the renderer or the preload.' },
            ...(patterns.length ? [{ group: patterns, message }] : []),
          ],
        },
      ],
    },
  });
  const inRoom = (names) => names.map((n) => `src/main/${n}/**`);
  return [
    block(['src/main/**'], '', []),
    { ...block(electronAllowed, '', [], []), ignores: [] },
    block(
      inRoom(DOMAIN),
      'Domain rooms are called by transports, never the reverse: no api/, ipc/, shell/, update/, cli/ or sim/.',
      rooms(TRANSPORTS),
    ),
    block(
      inRoom(['sparkplug']),
      'The Sparkplug host sits beside the field: it hands data to the field and takes ports, never a domain room or a transport.',
      rooms([...DOMAIN, ...TRANSPORTS, 'console']),
    ),
    block(
      inRoom(['field', 'console']),
      'The field and the console push are below the domain rooms and the transports: pass a port or an event instead.',
      rooms([...DOMAIN, ...TRANSPORTS, 'sparkplug']),
    ),
    block(
      inRoom(['telemetry', 'sync']),
      'Telemetry and sync are below the field, the domain rooms and the transports: take a port instead.',
      rooms(['field', 'console', 'sparkplug', ...DOMAIN, ...TRANSPORTS]),
    ),
    block(
      inRoom(['history']),
      'History (the files samples are kept in) is below telemetry: it knows files, blocks and rollups, not the field or the rooms.',
      rooms(['field', 'telemetry', 'sync', 'console', 'sparkplug', ...DOMAIN, ...TRANSPORTS]),
    ),
    block(
      inRoom(['store']),
      'The store is the bottom room: it imports none of the rooms that use it.',
      rooms(['field', 'telemetry', 'history', 'sync', 'console', 'sparkplug', ...DOMAIN, ...TRANSPORTS]),
    ),
  ];
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
  ...mainRooms(),
  {
    // The renderer reaches the station through one door: src/renderer/client.ts.
    files: ['src/renderer/**'],
    ignores: ['src/renderer/client.ts', 'src/renderer/main.tsx'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'window',
          property: 'plainview',
          message: 'Call the station through src/renderer/client.ts (`station`), which unwraps every Result.',
        },
      ],
    },
  },
);
