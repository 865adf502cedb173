import { PRIORITIES, PRIORITY_WORD } from '../model/alarms';
import { headerCountsText, tallyAlarms } from '../model/annunciation';
import { AlarmBanner } from './AlarmBanner';
import { useAlarms } from '../stores/alarms';
import { useField } from '../stores/field';
import { useNow } from '../stores/clock';
import { formatClock } from '../model/format';
import { summarizeLink } from '../model/link';
import { sessionLabel } from '../model/operator';
import { navSection, type NavSection, type Route } from '../model/route';
import { useSession } from '../stores/session';
import { useStation } from '../stores/station';
import { useUi } from '../stores/ui';
import { station } from '../client';
import styles from './Frame.module.css';
import priority from '../components/PriorityTag.module.css';
import { cx } from '../styles/cx';

/** The DEMO / TRAINING band: on every view, impossible to take for a real line. */
export function DemoBanner() {
  const demo = useField((s) => s.site?.demo ?? false);
  const infoDemo = useStation((s) => s.info?.demo ?? false);
  if (!demo && !infoDemo) return null;
  return (
    <div className={styles.demoBanner} data-testid="demo-banner" role="note" aria-label="Demo and training mode">
      <span className={styles.demoWord}>DEMO / TRAINING</span>
      <span>Simulated field: nothing on this screen is a real pipeline.</span>
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
    <div className={styles.offlineBanner} data-testid="offline-banner">
      <p className={styles.offlineWord} role="alert">
        <span aria-hidden="true">■</span> OFFLINE: no live data from the field
      </p>
      <p className={styles.offlineDetail} data-testid="offline-detail">
        {sum.detail}
        {sum.reason && <span className={styles.offlineReason}> · {sum.reason}</span>}
      </p>
      <p className={styles.offlineHint}>Values on screen are the last known and are marked STALE.</p>
    </div>
  );
}

/**
 * The alarms at a glance, a link to the Alarms view: how many are active (acknowledged,
 * shelved or suppressed alike) and how many wait for acknowledgement. "none" only when neither.
 */
function AlarmCounts() {
  const byId = useAlarms((s) => s.byId);
  const now = useNow();
  const tally = tallyAlarms(byId, now);
  const top = PRIORITIES.find((p) => tally.unackedByPriority[p] > 0);
  const words = headerCountsText(tally);
  const label =
    words === 'none'
      ? 'No active or unacknowledged alarms'
      : `${tally.active} active alarms, ${tally.unacked} unacknowledged${top ? `, the highest ${PRIORITY_WORD[top].toLowerCase()}` : ''}`;
  return (
    <a
      className={cx(styles.frameItem, styles.alarmCounts, tally.unacked > 0 && styles.alarmCountsAbnormal)}
      data-testid="alarm-counts"
      data-active={tally.active}
      data-unacked={tally.unacked}
      href="#/alarms"
      title={`${label}. Open the alarms.`}
    >
      <span className={styles.frameLabel}>Alarms</span>
      {top && (
        <span className={cx(styles.alarmCount, priority[`prio-${top}`])} data-testid="alarm-count-top">
          <span className={cx(priority.prioShape, priority[`prio-shape-${top}`])} aria-hidden="true" />
          {PRIORITY_WORD[top]}
        </span>
      )}
      <strong>{words}</strong>
    </a>
  );
}

function LinkState() {
  const link = useField((s) => s.link);
  const downSince = useField((s) => s.linkDownSince);
  const now = useNow();
  const sum = summarizeLink(link, downSince, now);
  return (
    <div
      className={cx(
        styles.frameItem,
        styles.linkState,
        styles[`link-${sum.online ? 'online' : link ? 'offline' : 'unknown'}`],
      )}
      data-testid="link-state"
      data-status={sum.status}
      title={sum.detail}
    >
      <span className={cx(styles.frameLabel, styles.frameLabelOptional)}>Link</span>
      <span className={styles.linkIcon} aria-hidden="true" />
      <strong>{sum.label}</strong>
    </div>
  );
}

function Clocks() {
  const now = useNow();
  return (
    <div className={cx(styles.frameItem, styles.clocks)}>
      <span>
        <span className={styles.frameLabel}>UTC</span>{' '}
        <time data-testid="clock-utc" dateTime={new Date(now).toISOString()}>
          {formatClock(now, true)}
        </time>
      </span>
      <span>
        <span className={styles.frameLabel}>Local</span> <time data-testid="clock-local">{formatClock(now)}</time>
      </span>
    </div>
  );
}

function SiteName() {
  const siteName = useField((s) => s.site?.name);
  const info = useStation((s) => s.info);
  return (
    <div
      className={cx(styles.frameItem, styles.frameShrink)}
      title={`Site ${siteName ?? info?.siteId ?? '—'} · station ${info?.stationId ?? '—'}`}
    >
      <span className={cx(styles.frameLabel, styles.frameLabelOptional)}>Site</span>{' '}
      <strong data-testid="site-name">{siteName ?? info?.siteId ?? '—'}</strong>
      <span className={styles.frameSep} aria-hidden="true">
        ·
      </span>
      <span className={cx(styles.frameLabel, styles.frameLabelOptional)}>Station</span>{' '}
      <strong data-testid="station-id">{info?.stationId ?? '—'}</strong>
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
      useSession.getState().setSession(await station.operator.signOff(), 'call');
    } catch {
      // Not signed off: the session shown stays the station's, and the button can be used again.
    } finally {
      setSigningOff(false);
    }
  };
  return (
    <div className={cx(styles.frameItem, styles.operatorItem)}>
      <span
        className={cx(styles.frameShrink, !signedOn && !!session && styles.operatorOff)}
        data-testid="operator"
        data-role={session?.role ?? ''}
        title={`${sessionLabel(session)}${session?.via === 'os_account' ? ': the signed-in OS account' : ''}`}
      >
        <span className={cx(styles.frameLabel, styles.frameLabelOptional)}>Operator</span>{' '}
        <strong>{sessionLabel(session)}</strong>
      </span>
      {locked && !signedOn && (
        <span className={styles.frameSub} data-testid="session-locked">
          (locked after inactivity)
        </span>
      )}
      {session?.signOnRequired &&
        (signedOn ? (
          <button
            type="button"
            className={styles.frameButton}
            data-testid="sign-off-button"
            onClick={() => void signOff()}
          >
            Sign off
          </button>
        ) : (
          <button
            type="button"
            className={styles.frameButton}
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
  { section: 'alarms', label: 'Alarms', keys: 'g l' },
  { section: 'limits', label: 'Definitions', keys: 'g d' },
  { section: 'incidents', label: 'Incidents', keys: 'g i' },
  { section: 'handover', label: 'Handover', keys: 'g h' },
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
    <header className={styles.frameHeader}>
      <a
        className={styles.skipLink}
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
      <div className={styles.frameBar} data-testid="frame-bar">
        <div className={cx(styles.frameItem, styles.brand)}>Plainview</div>
        <SiteName />
        <LinkState />
        <Operator />
        <AlarmCounts />
        <Clocks />
        <div className={cx(styles.frameItem, styles.frameTools)}>
          <button type="button" aria-pressed={layout === 'large'} onClick={toggleLayout} data-testid="layout-toggle">
            Large<span className={styles.wideOnly}> layout</span>
          </button>
          <button type="button" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?" data-testid="help-button">
            <span className={styles.wideOnly}>Shortcuts </span>
            <kbd>?</kbd>
          </button>
        </div>
      </div>
      <AlarmBanner />
      <nav className={styles.frameNav} aria-label="Views">
        {NAV.map((n) => (
          <a
            key={n.section}
            href={`#/${n.section}`}
            data-testid={`nav-${n.section}`}
            aria-current={current === n.section ? 'page' : undefined}
          >
            {n.label}
            <kbd className={cx(styles.navKeys, styles.wideOnly)} aria-hidden="true">
              {n.keys}
            </kbd>
          </a>
        ))}
      </nav>
    </header>
  );
}
