import type uPlot from 'uplot';
import type { AlarmPriority } from '../../shared/alarms';
import type { LimitLine } from '../model/limit-lines';

/** The limits of one y scale, with a prefix for their labels when several pens share a chart. */
export interface ScaleLimits {
  scale: string;
  lines: readonly LimitLine[];
  prefix?: string;
}

const LINE_TOKEN: Record<AlarmPriority, string> = {
  critical: '--prio-critical',
  high: '--prio-high',
  medium: '--amber',
  low: '--muted',
  diagnostic: '--muted',
};
const LABEL_TOKEN: Record<AlarmPriority, string> = {
  critical: '--crit',
  high: '--amber',
  medium: '--amber',
  low: '--muted',
  diagnostic: '--muted',
};

/**
 * A uPlot plugin drawing each limit (hh/h/l/ll from the definitions in force) as a dashed line
 * across the plot in its priority's colour, labelled at the right ("L 400") on a pale ground.
 * `limits` is read at every draw, so a chart follows new definitions without being rebuilt.
 */
export function limitLinesPlugin(limits: () => readonly ScaleLimits[]): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const all = limits();
          if (!all.length) return;
          const css = getComputedStyle(document.documentElement);
          const token = (name: string) => css.getPropertyValue(name).trim() || '#333';
          const dpr = window.devicePixelRatio || 1;
          const { left, top, width, height } = u.bbox;
          const ctx = u.ctx;
          ctx.save();
          ctx.font = `${Math.round(12 * dpr)}px system-ui, sans-serif`;
          ctx.textAlign = 'right';
          ctx.textBaseline = 'bottom';
          // Labels drawn so far (right end, baseline): a label that would overlap one moves left of it.
          const placed: { left: number; right: number; y: number }[] = [];
          for (const { scale, lines, prefix } of all) {
            if (!u.scales[scale]) continue;
            for (const line of lines) {
              const y = Math.round(u.valToPos(line.value, scale, true));
              if (y < top || y > top + height) continue;
              ctx.setLineDash([7 * dpr, 5 * dpr]);
              ctx.lineWidth = 1.5 * dpr;
              ctx.strokeStyle = token(LINE_TOKEN[line.priority]);
              ctx.beginPath();
              ctx.moveTo(left, y);
              ctx.lineTo(left + width, y);
              ctx.stroke();
              const label = prefix ? `${prefix} ${line.label}` : line.label;
              const w = ctx.measureText(label).width;
              let x = left + width - 4 * dpr;
              for (const p of placed)
                if (Math.abs(p.y - y) < 15 * dpr && x - w - 6 * dpr < p.right && x > p.left) x = p.left - 10 * dpr;
              placed.push({ left: x - w - 3 * dpr, right: x + 3 * dpr, y });
              ctx.setLineDash([]);
              ctx.fillStyle = 'rgba(247,247,248,0.9)';
              ctx.fillRect(x - w - 3 * dpr, y - 15 * dpr, w + 6 * dpr, 14 * dpr);
              ctx.fillStyle = token(LABEL_TOKEN[line.priority]);
              ctx.fillText(label, x, y - 2 * dpr);
            }
          }
          ctx.restore();
        },
      ],
    },
  };
}
