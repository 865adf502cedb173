import type { AlarmDefinitionInput, Suppression } from '../../shared/limits';
import type { SegmentSpec, SiteLayout } from './layout';
import { designValues, INLET_BAR } from './line-model';

/**
 * The DEMO site's limits, set against what the line model produces: in normal operation
 * about 966 m3/h on every segment and pressure from 68 bar (segment 1) falling along the
 * line, never above the 72 bar inlet; a shut line reads 0 m3/h, 72 bar upstream of the
 * closed valve and 6 bar downstream of it; a leak takes about 9 bar at once.
 */
const FLOW_LOW_M3H = 400;
const FLOW_LOW_LOW_M3H = 50;
const PRESSURE_LOW_BAR = 20;
/** Above anything the inlet pumps give a healthy line, even shut in. */
const PRESSURE_HIGH_BAR = INLET_BAR + 4;
/** The line's maximum allowable operating pressure, and the trip point short of it. */
const MAOP_BAR = 85;
const PRESSURE_HIGH_HIGH_BAR = 80;
/** A leak's 9 bar drop shows at about 9 bar/min over the evaluator's one-minute window. */
const PRESSURE_ROC_BAR_MIN = 3;
const DEVIATION_BAR = 5;

const ISOLATED = 'isolated segment: no flow expected';
const DEPRESSURIZED = 'isolated segment: pressure falls to the static head by design';

interface Segment {
  spec: SegmentSpec;
  /** Its block valves, upstream first. */
  blocks: string[];
  /** Its design values (normal operation), rounded: what the operator knows the segment by. */
  normal: { pressure: number; flow: number };
  suppression: (note: string) => Suppression | null;
}

/**
 * The DEMO site's rationalized alarm definitions (ISA-18.2): per segment flow low and
 * low-low, pressure low, high, high-high and rate of change, and quality on both
 * transmitters; plus a deviation of segment 1's pressure from its design value. Alarms that
 * an isolated segment would raise by design are suppressed while its block valves are closed.
 */
export function demoDefinitions(layout: SiteLayout): AlarmDefinitionInput[] {
  const design = designValues(layout);
  const out: AlarmDefinitionInput[] = [];
  layout.segments.forEach((spec, i) => {
    const blocks = layout.valves.filter((v) => v.segment === spec.id && v.role === 'block').map((v) => v.id);
    const suppression = (note: string) => (blocks.length ? { whenClosed: blocks, note } : null);
    const normal = { pressure: Math.round(design.pressure[i] ?? INLET_BAR), flow: Math.round(design.flow[i] ?? 0) };
    const s: Segment = { spec, blocks, normal, suppression };
    out.push(...flowDefinitions(s), ...pressureDefinitions(s));
    if (i === 0) out.push(deviation(s, normal.pressure));
  });
  return out;
}

const valves = (s: Segment) => (s.blocks.length ? `block valves ${s.blocks.join(' and ')}` : 'its block valves');

function flowDefinitions(s: Segment): AlarmDefinitionInput[] {
  const where = s.spec.name;
  const flow = `${s.spec.id}-flow`;
  return [
    {
      point: flow,
      condition: 'l',
      setpoint: FLOW_LOW_M3H,
      deadband: 30,
      onDelaySec: 5,
      offDelaySec: 5,
      priority: 'high',
      suppression: s.suppression(ISOLATED),
      rationalization: {
        cause: `Throughput on ${where} below ${FLOW_LOW_M3H} m3/h (normal ${s.normal.flow}): a block valve closing or closed anywhere on the line, control valves pinched back, an inlet pump trip, or crude leaving the line upstream.`,
        consequence:
          'Deliveries fall short of the nomination; a slow line lets water and wax drop out, and a low flow can hide a leak from the line balance.',
        action: `Compare flow and pressure on the neighbouring segments. Check ${valves(s)} and the control valves on the valve board: a valve that moved without a command means someone is at it in the field, call field operations. If pressure is also falling here, follow the leak procedure.`,
        responseMin: 10,
      },
    },
    {
      point: flow,
      condition: 'll',
      setpoint: FLOW_LOW_LOW_M3H,
      deadband: 10,
      onDelaySec: 5,
      offDelaySec: 5,
      priority: 'critical',
      suppression: s.suppression(ISOLATED),
      rationalization: {
        cause: `Flow on ${where} has all but stopped (below ${FLOW_LOW_LOW_M3H} m3/h): a block valve shut on a running line, or the inlet pumps tripped.`,
        consequence:
          'Pumps running against a closed valve overpressure the line upstream of it; deliveries stop; the line downstream drains down to its static head.',
        action: `Check the shift log and work permits: was the line meant to be shut in? If not, stop the inlet pumps before the pressure upstream climbs, find the closed valve on the valve board (${valves(s)} first), and call the shift supervisor before reopening anything.`,
        responseMin: 5,
      },
    },
    quality(
      s,
      flow,
      'flow meter',
      'throughput',
      'its flow limits cannot raise while the value is not good, and the line balance for leak detection is blind here',
    ),
  ];
}

function pressureDefinitions(s: Segment): AlarmDefinitionInput[] {
  const where = s.spec.name;
  const pressure = `${s.spec.id}-pressure`;
  return [
    {
      point: pressure,
      condition: 'l',
      setpoint: PRESSURE_LOW_BAR,
      deadband: 2,
      onDelaySec: 5,
      offDelaySec: 5,
      priority: 'high',
      suppression: s.suppression(DEPRESSURIZED),
      rationalization: {
        cause: `Pressure on ${where} below ${PRESSURE_LOW_BAR} bar (normal ${s.normal.pressure}): a block valve upstream closed, the inlet pumps tripped, or a rupture letting crude out.`,
        consequence:
          'Crude may be escaping to ground; at low pressure the column separates at the high points, and the restart surge can damage the line.',
        action: `Compare flow into and out of the segment. If flow is still going in and pressure keeps falling, suspect a rupture: stop the inlet pumps, close ${valves(s)} to isolate the segment and send a crew. If an upstream valve is closed, find out who closed it before reopening.`,
        responseMin: 5,
      },
    },
    {
      point: pressure,
      condition: 'h',
      setpoint: PRESSURE_HIGH_BAR,
      deadband: 1,
      onDelaySec: 5,
      offDelaySec: 5,
      priority: 'medium',
      rationalization: {
        cause: `Pressure on ${where} above ${PRESSURE_HIGH_BAR} bar, more than the inlet pumps give a healthy line (${INLET_BAR} bar): the inlet pressure control failing, or a segment blocked in and warming in the sun.`,
        consequence: `The line is getting close to its maximum allowable operating pressure of ${MAOP_BAR} bar; the relief valves lift at it and crude goes to the relief tank.`,
        action: `Lower the inlet pressure set point or take a pump off line. If the segment is blocked in, relieve it to tank through its drain valve with the field crew. Check the transmitter against the neighbouring segments before acting on it alone.`,
        responseMin: 15,
      },
    },
    {
      point: pressure,
      condition: 'hh',
      setpoint: PRESSURE_HIGH_HIGH_BAR,
      deadband: 1,
      onDelaySec: 2,
      offDelaySec: 5,
      priority: 'critical',
      rationalization: {
        cause: `Pressure on ${where} above ${PRESSURE_HIGH_HIGH_BAR} bar: overpressure, the pressure control has failed, or a valve closed against running pumps.`,
        consequence: `At ${MAOP_BAR} bar the line is at its maximum allowable operating pressure: beyond it the pipe can split. A reportable overpressure event.`,
        action:
          'Stop the inlet pumps now. Open a path downstream if a block valve is closed by mistake; otherwise hold the line shut in and call the shift supervisor and the pipeline engineer on duty.',
        responseMin: 2,
      },
    },
    {
      point: pressure,
      condition: 'roc',
      setpoint: PRESSURE_ROC_BAR_MIN,
      deadband: 1,
      onDelaySec: 5,
      offDelaySec: 10,
      priority: 'high',
      suppression: s.suppression(DEPRESSURIZED),
      rationalization: {
        cause: `Pressure on ${where} changing faster than ${PRESSURE_ROC_BAR_MIN} bar/min: a sudden drop is the signature of a rupture or a large leak; also a block valve moving or a pump starting or tripping.`,
        consequence:
          'A leak found in the first minutes spills a few cubic metres; found at the next line balance, hundreds. Fast swings also fatigue the pipe.',
        action: `Look for a valve move or a pump change in the last minute. If there is none, compare pressure on the neighbouring segments and flow in against flow out: a drop with flow out short of flow in is a suspected leak, so stop the inlet pumps and close ${valves(s)}.`,
        responseMin: 5,
      },
    },
    quality(
      s,
      pressure,
      'pressure transmitter',
      'pressure',
      'its pressure limits and leak detection by pressure cannot raise while the value is not good',
    ),
  ];
}

/** No good value from an instrument: the gateway offline (the value goes stale), the link, or the instrument. */
function quality(s: Segment, point: string, instrument: string, sees: string, blind: string): AlarmDefinitionInput {
  const gw = s.spec.gateway;
  return {
    point,
    condition: 'quality',
    priority: 'low',
    rationalization: {
      cause: `No good value from the ${instrument} on ${s.spec.name}: gateway ${gw} offline, a communications fault, or the ${instrument} failed.`,
      consequence: `The operator cannot see ${sees} on this segment: ${blind}.`,
      action: `Check gateway ${gw} on the site overview. If it is offline, call the telecoms technician; if it is online, raise a work order on the ${instrument}. Meanwhile watch ${sees} on the neighbouring segments.`,
      responseMin: 30,
    },
  };
}

/** Segment 1's pressure against its design value: a drifting transmitter or a changed operating point. */
function deviation(s: Segment, target: number): AlarmDefinitionInput {
  return {
    point: `${s.spec.id}-pressure`,
    condition: 'deviation',
    setpoint: DEVIATION_BAR,
    target,
    deadband: 1,
    onDelaySec: 10,
    offDelaySec: 10,
    priority: 'medium',
    suppression: s.suppression(DEPRESSURIZED),
    rationalization: {
      cause: `Pressure on ${s.spec.name} more than ${DEVIATION_BAR} bar from its design value of ${target} bar: the transmitter drifting out of calibration, or the line running away from its design point (inlet pressure control, a valve left part closed).`,
      consequence:
        'A drifting transmitter hides a real leak or raises false ones, and the pressure limits on it are no longer trustworthy; a line off its design point is off its nomination.',
      action:
        'Compare with the inlet pressure and segment 2. If the process agrees with the transmitter, find out what changed the operating point. If it does not, the transmitter is drifting: raise a calibration work order and use the neighbouring transmitters until it is done.',
      responseMin: 30,
    },
  };
}
