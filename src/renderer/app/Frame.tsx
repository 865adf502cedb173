import { useField } from '../stores/field';
import { useNow } from '../stores/clock';
import { formatClock, summarizeLink } from '../stores/format';
import { sessionLabel } from '../stores/actuation';
import { navSection, type NavSection, type Route } from '../stores/route';
import { useSession } from '../stores/session';
import { useStation } from '../stores/station';
import { useUi } from '../stores/ui';

/** The DEMO / TRAINING band: on every view, impossible to take for a real line. */
export function DemoBanner() {
  const demo = useField((s) => s.site?.demo ?? false);
  const infoDemo = useStation((s) => s.info?.demo ?? false);
  if (!demo && !infoDemo) return null;
  return (
    <div className="demo-banner" data-testid="demo-banner" role="note" aria-label="Demo and training mode">
      <span className="demo-word">DEMO / TRAINING</span>
      <span className="demo-text">Simulated field: nothing on this screen is a real pipeline.</span>
    </div>
  );
}

/** The prominent banner while the field link is down, with a live countdown. */
export function OfflineBanner() {
  const link = useField((s) => s.link);
  const downSince = useField((s) => s.linkDownSince);
  const now = useNow();
  if (!link || link.status === 'online') return null;
  const sum = summarizeLink(link, downSince, now);
  return (
    <div className="offline-banner" data-testid="offline-banner">
      <p className="offline-word" role="alert">
        <span className="offline-icon" aria-hidden="true">
          ■
        </span>{' '}
        OFFLINE: no live data from the field
      </p>
      <p className="offline-detail" data-testid="offline-detail">
        {sum.detail}
        {sum.reason && <span className="offline-reason"> · {sum.reason}</span>}
      </p>
      <p className="offline-hint">Values on screen are the last known and are marked STALE.</p>
    </div>
  );
}

function LinkState() {
  const link = useField((s) => s.link);
  const downSince = useField((s) => s.linkDownSince);
  const now = useNow();
  const sum = summarizeLink(link, downSince, now);
  return (
    <div
      className={`frame-item link-state link-${sum.online ? 'online' : link ? 'offline' : 'unknown'}`}
      data-testid="link-state"
      data-status={sum.status}
      title={sum.detail}
    >
      <span className="frame-label">Link</span>
      <span className="link-icon" aria-hidden="true" />
      <strong className="link-word">{sum.label}</strong>
    </div>
  );
}

function Clocks() {
  const now = useNow();
  return (
    <div className="frame-item clocks">
      <span>
        <span className="frame-label">UTC</span>{' '}
        <time data-testid="clock-utc" dateTime={new Date(now).toISOString()}>
          {formatClock(now, true)}
        </time>
      </span>
      <span>
        <span className="frame-label">Local</span> <time data-testid="clock-local">{formatClock(now)}</time>
      </span>
    </div>
  );
}

function SiteName() {
  const siteName = useField((s) => s.site?.name);
  const info = useStation((s) => s.info);
  return (
    <div className="frame-item site">
      <span className="frame-label">Site</span>{' '}
      <strong data-testid="site-name">{siteName ?? info?.siteId ?? '—'}</strong>
      <span className="frame-sep" aria-hidden="true">
        ·
      </span>
      <span className="frame-label">Station</span> <strong data-testid="station-id">{info?.stationId ?? '—'}</strong>
    </div>
  );
}

/**
 * The operator at this console (from the station's session) and, where operators sign on,
 * the Sign on or Sign off button. After an idle lock it says so.
 */
function Operator() {
  const session = useSession((s) => s.session);
  const locked = useSession((s) => s.lockedByStation);
  const setSigningOff = useSession((s) => s.setSigningOff);
  const setSignOnOpen = useUi((s) => s.setSignOnOpen);
  const signedOn = !!session?.operator;
  const signOff = async () => {
    setSigningOff(true);
    try {
      const r = await window.plainview.operator.signOff();
      if (r.ok) useSession.getState().setSession(r.value, 'call');
    } finally {
      setSigningOff(false);
    }
  };
  return (
    <div className="frame-item operator-item">
      <span
        className={`operator ${signedOn ? '' : session ? 'operator-off' : ''}`}
        data-testid="operator"
        data-role={session?.role ?? ''}
        title={session?.via === 'os_account' ? 'the signed-in OS account' : undefined}
      >
        <span className="frame-label">Operator</span> <strong>{sessionLabel(session)}</strong>
      </span>
      {locked && !signedOn && (
        <span className="frame-sub" data-testid="session-locked">
          (locked after inactivity)
        </span>
      )}
      {session?.signOnRequired &&
        (signedOn ? (
          <button type="button" className="frame-button" data-testid="sign-off-button" onClick={() => void signOff()}>
            Sign off
          </button>
        ) : (
          <button
            type="button"
            className="frame-button"
            data-testid="sign-on-button"
            onClick={() => setSignOnOpen(true)}
          >
            Sign on
          </button>
        ))}
    </div>
  );
}

const NAV: { section: NavSection; label: string; keys: string }[] = [
  { section: 'overview', label: 'Overview', keys: 'g o' },
  { section: 'valves', label: 'Valves', keys: 'g v' },
  { section: 'commands', label: 'Commands', keys: 'g c' },
  { section: 'audit', label: 'Audit', keys: 'g a' },
  { section: 'system', label: 'System', keys: 'g s' },
];

/**
 * The frame every view sits in: banners, the status bar (site, station, link, operator,
 * alarms, clocks) and the navigation.
 */
export function FrameHeader({ route, onSkip }: { route: Route; onSkip(): void }) {
  const layout = useUi((s) => s.layout);
  const toggleLayout = useUi((s) => s.toggleLayout);
  const setHelpOpen = useUi((s) => s.setHelpOpen);
  const current = navSection(route);
  return (
    <header className="frame-header">
      <a
        className="skip-link"
        href="#/"
        onClick={(e) => {
          e.preventDefault();
          onSkip();
        }}
      >
        Skip to the view
      </a>
      <DemoBanner />
      <OfflineBanner />
      <div className="frame-bar">
        <div className="frame-item brand">Plainview</div>
        <SiteName />
        <LinkState />
        <Operator />
        <div className="frame-item alarms" data-testid="alarm-counts">
          alarms: —
        </div>
        <Clocks />
        <div className="frame-item frame-tools">
          <button type="button" aria-pressed={layout === 'large'} onClick={toggleLayout} data-testid="layout-toggle">
            Large layout
          </button>
          <button type="button" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?" data-testid="help-button">
            Shortcuts <kbd>?</kbd>
          </button>
        </div>
      </div>
      <nav className="frame-nav" aria-label="Views">
        {NAV.map((n) => (
          <a
            key={n.section}
            href={`#/${n.section}`}
            data-testid={`nav-${n.section}`}
            aria-current={current === n.section ? 'page' : undefined}
          >
            {n.label}
            <kbd className="nav-keys" aria-hidden="true">
              {n.keys}
            </kbd>
          </a>
        ))}
      </nav>
    </header>
  );
}
