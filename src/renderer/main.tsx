// The tokens and the base first, then the shared modules, so that a view's or component's
// own module, which comes later, wins a tie.
import './styles/tokens.css';
import './styles/base.css';
import './styles/text.module.css';
import './styles/layout.module.css';
import './styles/forms.module.css';
import './styles/table.module.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { ErrorNote } from './components/ErrorNote';
import app from './app/App.module.css';

const root = createRoot(document.getElementById('root')!);
if (typeof window.plainview === 'undefined') {
  // Opened outside the app (no preload, no harness): say so rather than crash.
  root.render(
    <main className={app.frameMain}>
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
