import { create } from 'zustand';

/**
 * The trend popup (faceplate): which point it was opened for, or null while it is closed. Any
 * analog value on any view opens it (`openTrend`); the app draws it over the view.
 */
interface TrendPopupStore {
  pointId: string | null;
  open(pointId: string): void;
  close(): void;
}

export const useTrendPopup = create<TrendPopupStore>((set) => ({
  pointId: null,
  open: (pointId) => set({ pointId }),
  close: () => set({ pointId: null }),
}));

export const openTrend = (pointId: string) => useTrendPopup.getState().open(pointId);
