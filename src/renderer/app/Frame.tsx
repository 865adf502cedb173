import { useField } from '../stores/field';
import { useNow } from '../stores/clock';
import { formatClock, summarizeLink } from '../stores/format';
import { navSection, type Route } from '../stores/route';
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

const NAV: { section: 'overview' | 'valves' | 'system'; label: string; keys: string }[] = [
  { section: 'overview', label: 'Overview', keys: 'g o' },
  { section: 'valves', label: 'Valves', keys: 'g v' },
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
        <div className="frame-item operator" data-testid="operator">
          operator: —
        </div>
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
