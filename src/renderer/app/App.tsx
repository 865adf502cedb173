import { useEffect } from 'react';
import { useStation } from '../stores/station';
import { SystemHealth } from '../views/SystemHealth';

const REFRESH_MS = 2000;

export function App() {
  const { info, health, error, refresh } = useStation();

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  return (
    <>
      <header className="frame">
        <h1>Plainview</h1>
        {info && (
          <span>
            Site <strong>{info.siteId}</strong> · Station <strong>{info.stationId}</strong>
          </span>
        )}
      </header>
      <main>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {health ? <SystemHealth health={health} /> : <p>Connecting to the station…</p>}
      </main>
    </>
  );
}
