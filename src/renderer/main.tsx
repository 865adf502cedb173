import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { ErrorNote } from './components/ErrorNote';

const root = createRoot(document.getElementById('root')!);
if (typeof window.plainview === 'undefined') {
  // Opened outside the app (no preload, no harness): say so rather than crash.
  root.render(
    <main className="frame-main">
      <h1>Plainview</h1>
      <ErrorNote>
        This page must be opened by the Plainview app: the station bridge (window.plainview) is missing.
      </ErrorNote>
    </main>,
  );
} else {
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
