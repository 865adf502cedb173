import { create } from 'zustand';
import { defaultValveQuery, type ValveQuery } from '../model/valve-query';
import type { TrendRange } from '../../shared/telemetry';

export type Layout = 'compact' | 'large';

export const LAYOUT_KEY = 'plainview.layout';

function readLayout(): Layout {
  try {
    return window.localStorage.getItem(LAYOUT_KEY) === 'large' ? 'large' : 'compact';
  } catch {
    return 'compact';
  }
}

interface UiState {
  layout: Layout;
  helpOpen: boolean;
  /** The sign-on dialog is open. */
  signOnOpen: boolean;
  /** Kept across navigation so the operator comes back to the same table. */
  valveQuery: ValveQuery;
  trendRange: TrendRange;
  /** Increased to ask the valve table to focus its search field. */
  searchFocusRequest: number;
  /** The request the valve table last served: a table opened later does not serve it again. */
  searchFocusServed: number;
  setLayout(layout: Layout): void;
  toggleLayout(): void;
  setHelpOpen(open: boolean): void;
  setSignOnOpen(open: boolean): void;
  setValveQuery(patch: Partial<ValveQuery>): void;
  setTrendRange(range: TrendRange): void;
  requestSearchFocus(): void;
  serveSearchFocus(): void;
}

export const useUi = create<UiState>((set, get) => ({
  layout: readLayout(),
  helpOpen: false,
  signOnOpen: false,
  valveQuery: defaultValveQuery,
  trendRange: '1h',
  searchFocusRequest: 0,
  searchFocusServed: 0,
  setLayout(layout) {
    try {
      window.localStorage.setItem(LAYOUT_KEY, layout);
    } catch {
      // storage may be unavailable; the choice still applies until reload
    }
    set({ layout });
  },
  toggleLayout() {
    get().setLayout(get().layout === 'large' ? 'compact' : 'large');
  },
  setHelpOpen: (helpOpen) => set({ helpOpen }),
  setSignOnOpen: (signOnOpen) => set({ signOnOpen }),
  setValveQuery: (patch) => set((s) => ({ valveQuery: { ...s.valveQuery, ...patch } })),
  setTrendRange: (trendRange) => set({ trendRange }),
  requestSearchFocus: () => set((s) => ({ searchFocusRequest: s.searchFocusRequest + 1 })),
  serveSearchFocus: () => set((s) => ({ searchFocusServed: s.searchFocusRequest })),
}));
