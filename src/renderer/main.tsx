import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';

const root = createRoot(document.getElementById('root')!);
if (typeof window.plainview === 'undefined') {
  // Opened outside the app (no preload, no harness): say so rather than crash.
  root.render(
    <main className="frame-main">
      <h1>Plainview</h1>
      <p className="error" role="alert">
        This page must be opened by the Plainview app: the station bridge (window.plainview) is missing.
      </p>
    </main>,
  );
} else {
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
