import type uPlot from 'uplot';

/**
 * Keeps a chart as wide as its box (never narrower than `minWidth`); answers the cleanup that
 * stops watching and destroys the chart.
 */
export function fitToBox(p: uPlot, el: HTMLElement, minWidth: number, onGone: () => void): () => void {
  const ro = new ResizeObserver(() => {
    const w = Math.max(minWidth, el.clientWidth);
    if (w !== p.width) p.setSize({ width: w, height: p.height });
  });
  ro.observe(el);
  return () => {
    ro.disconnect();
    p.destroy();
    onGone();
  };
}
