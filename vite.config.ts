import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

/**
 * One config builds the three processes (electron-vite; see docs/architecture.md):
 * main (the Electron shell and the `plainview` CLI, both Node, dependencies left external),
 * preload (one sandboxed CommonJS file with everything bundled in), and the renderer.
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/main/cli/index.ts'),
          // The worker threads (src/main/threads.ts) are loaded by file name.
          'writer-thread': resolve('src/main/telemetry/writer-thread.ts'),
          'backup-thread': resolve('src/main/store/backup-thread.ts'),
        },
        // Shared chunks beside the entries, so code in a chunk finds the threads in its __dirname.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require packages: bundle the shared code into it.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve('src/preload/index.ts') } },
    },
  },
  renderer: {
    root: 'src/renderer',
    // Styles are CSS modules per view and component (src/renderer/styles/ holds the tokens, the
    // base and the shared modules); `styles.alarmRow` names the module's `.alarm-row`.
    css: { modules: { localsConvention: 'camelCase' } },
    build: {
      outDir: 'out/renderer',
      minify: true,
      rollupOptions: { input: resolve('src/renderer/index.html') },
    },
  },
});
