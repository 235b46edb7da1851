// The table's scroll position in "virtual" pixels (row index × row height), kept apart from the scroll element's
// real scrollTop. While all rows fit under MAX_SCROLL_PX the two are equal and the browser scrolls natively. Past it
// the scroll area is capped and scaled: the scrollbar maps onto the rows proportionally, while the wheel is taken
// over so a notch still moves a few rows, not thousands. The virtualiser reads and writes virtual pixels only.
import { MAX_SCROLL_PX, scrollGeometry, toRealOffset, toVirtualOffset, type ScrollGeometry } from './layoutTable.js';

/** The viewport's size in CSS pixels. */
export interface ViewportSize {
  readonly width: number;
  readonly height: number;
}

/** A scaled scroll position over one scroll element. */
export interface ScaledScroll {
  /** The current top of the viewport in virtual pixels. */
  readonly offset: number;
  readonly viewport: ViewportSize;
  /** Sets the number of rows (the virtual height); keeps the offset where it can. */
  setRows(rows: number): void;
  /** Scrolls to a virtual offset (clamped). */
  scrollTo(offset: number): void;
  /** Calls `cb` now and on every offset change; returns an unsubscribe function. */
  observeOffset(cb: (offset: number) => void): () => void;
  /** Calls `cb` now and on every viewport resize; returns an unsubscribe function. */
  observeViewport(cb: (size: ViewportSize) => void): () => void;
}

/**
 * Scrolls `scroller` (overflow-y: auto, holding a viewport-tall sticky row layer and then `spacer`) over rows of
 * `rowHeight` pixels.
 */
export function createScaledScroll(scroller: HTMLElement, spacer: HTMLElement, rowHeight: number): ScaledScroll {
  let rows = 0;
  let viewport: ViewportSize = { width: scroller.clientWidth, height: scroller.clientHeight };
  let geometry: ScrollGeometry = scrollGeometry(0, rowHeight, viewport.height, MAX_SCROLL_PX);
  let offset = 0;
  /** The scrollTop we last wrote; its scroll event is our own echo, not the user moving. */
  let written: number | undefined;
  const offsetObservers = new Set<(offset: number) => void>();
  const viewportObservers = new Set<(size: ViewportSize) => void>();

  const notifyOffset = (): void => offsetObservers.forEach((cb) => cb(offset));
  const write = (): void => {
    scroller.scrollTop = toRealOffset(offset, geometry);
    // Read back: the browser snaps scrollTop to device pixels.
    written = scroller.scrollTop;
  };
  const relayout = (): void => {
    geometry = scrollGeometry(rows, rowHeight, viewport.height, MAX_SCROLL_PX);
    spacer.style.height = `${Math.max(0, geometry.scrollPx - viewport.height)}px`;
    offset = Math.min(offset, geometry.maxVirtual);
    write();
  };
  const scrollTo = (target: number): void => {
    offset = Math.min(Math.max(0, target), geometry.maxVirtual);
    write();
    notifyOffset();
  };

  const onScroll = (): void => {
    const real = scroller.scrollTop;
    if (written !== undefined && Math.abs(real - written) < 1) return;
    written = undefined;
    offset = toVirtualOffset(real, geometry);
    notifyOffset();
  };
  const onWheel = (e: WheelEvent): void => {
    // Native scrolling is exact while unscaled; pinch-zoom (ctrl) is the browser's.
    if (geometry.scale <= 1 || e.ctrlKey || e.deltaY === 0) return;
    e.preventDefault();
    const unit = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? rowHeight : e.deltaMode === WheelEvent.DOM_DELTA_PAGE ? viewport.height : 1;
    scrollTo(offset + e.deltaY * unit);
  };
  // The table lives as long as its page, so these listeners are never removed.
  new ResizeObserver(() => {
    const next = { width: scroller.clientWidth, height: scroller.clientHeight };
    if (next.width === viewport.width && next.height === viewport.height) return;
    viewport = next;
    relayout();
    viewportObservers.forEach((cb) => cb(viewport));
    notifyOffset();
  }).observe(scroller);
  scroller.addEventListener('scroll', onScroll, { passive: true });
  scroller.addEventListener('wheel', onWheel, { passive: false });

  return {
    get offset() {
      return offset;
    },
    get viewport() {
      return viewport;
    },
    setRows(n) {
      rows = n;
      relayout();
      notifyOffset();
    },
    scrollTo,
    observeOffset(cb) {
      offsetObservers.add(cb);
      cb(offset);
      return () => offsetObservers.delete(cb);
    },
    observeViewport(cb) {
      viewportObservers.add(cb);
      cb(viewport);
      return () => viewportObservers.delete(cb);
    },
  };
}
