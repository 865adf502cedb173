/**
 * Geometry of the overview schematic, pure: one band per segment in pipeline order, the
 * segment's label and values on the left and its pipe across, with the segment's valves
 * spaced along the pipe (wrapping onto more pipe lines when they do not fit). The overview
 * draws only the bands in view, so the size of the site does not matter.
 */
export interface OverviewMetrics {
  /** Width of the label column (segment name, pressure, flow). */
  labelWidth: number;
  /** The narrowest slot a valve and its labels need. */
  slotMin: number;
  /** From a band's top to its first pipe line. */
  pipeTop: number;
  /** Between two pipe lines of one segment. */
  lineHeight: number;
  /** From the last pipe line to the band's bottom (the valve labels). */
  below: number;
  /** Space on the right of the pipe for the flow arrow. */
  rightPad: number;
  /** Half the size of a valve symbol. */
  symbol: number;
  /** Text size in px. */
  font: number;
}

export const COMPACT_METRICS: OverviewMetrics = {
  labelWidth: 340,
  slotMin: 124,
  pipeTop: 42,
  lineHeight: 124,
  below: 94,
  rightPad: 36,
  symbol: 15,
  font: 14,
};

export const LARGE_METRICS: OverviewMetrics = {
  labelWidth: 450,
  slotMin: 150,
  pipeTop: 56,
  lineHeight: 166,
  below: 124,
  rightPad: 44,
  symbol: 21,
  font: 19,
};

export interface BandLayout {
  /** Index into the segments given. */
  index: number;
  top: number;
  height: number;
  lines: number;
  perLine: number;
  slotWidth: number;
}

export interface OverviewLayout {
  bands: BandLayout[];
  totalHeight: number;
  width: number;
  pipeStart: number;
  pipeEnd: number;
}

export function layoutOverview(valveCounts: readonly number[], width: number, m: OverviewMetrics): OverviewLayout {
  const pipeStart = m.labelWidth;
  const pipeEnd = Math.max(pipeStart + m.slotMin, width - m.rightPad);
  const avail = pipeEnd - pipeStart;
  const maxPerLine = Math.max(1, Math.floor(avail / m.slotMin));
  let top = 0;
  const bands = valveCounts.map((count, index): BandLayout => {
    const lines = Math.max(1, Math.ceil(count / maxPerLine));
    // Balanced lines: 6 valves on two lines are 3 + 3, not 5 + 1.
    const perLine = Math.max(1, Math.ceil(count / lines));
    const height = m.pipeTop + (lines - 1) * m.lineHeight + m.below;
    const band = { index, top, height, lines, perLine, slotWidth: avail / perLine };
    top += height;
    return band;
  });
  return { bands, totalHeight: top, width: Math.max(width, pipeEnd + m.rightPad), pipeStart, pipeEnd };
}

/** Where the k-th valve of a band sits, relative to the band's top-left. */
export function valvePosition(
  band: BandLayout,
  k: number,
  layout: OverviewLayout,
  m: OverviewMetrics,
): { x: number; y: number } {
  const line = Math.floor(k / band.perLine);
  const slot = k % band.perLine;
  return { x: layout.pipeStart + (slot + 0.5) * band.slotWidth, y: m.pipeTop + line * m.lineHeight };
}
