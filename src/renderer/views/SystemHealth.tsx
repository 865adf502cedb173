import type { Health, HealthCheck } from '../../shared/health';

function Check({ name, check }: { name: string; check: HealthCheck }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td className={`status status-${check.status}`}>{check.status.replace('_', ' ')}</td>
      <td>
        {check.reason}
        {check.details && <code> {JSON.stringify(check.details)}</code>}
      </td>
    </tr>
  );
}

/** The System view's health table: every part of the station, its status and why. */
export function SystemHealth({ health }: { health: Health }) {
  return (
    <section aria-label="Station health">
      <h2>
        Station health: <span className={`status status-${health.status}`}>{health.status}</span>
      </h2>
      <table className="health">
        <tbody>
          {Object.entries(health.checks).map(([name, check]) => (
            <Check key={name} name={name} check={check} />
          ))}
        </tbody>
      </table>
      <p>
        Up {health.uptime_sec} s · version {health.version}
      </p>
    </section>
  );
}
