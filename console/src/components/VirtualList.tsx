import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

interface Props {
  count: number;
  rowHeight: number;
  /** Height of the scrolling box in pixels. */
  height: number;
  row: (index: number, active: boolean) => ComponentChildren;
  /** Called with the first and last index drawn, e.g. to fetch details for what is on screen. */
  onRange?: (first: number, last: number) => void;
  /** Enter or double-click on a row. */
  onActivate?: (index: number) => void;
  label: string;
  header?: ComponentChildren;
}

// Preact 11 adds no 'px' to numeric styles: every length below is a string with its unit.

/**
 * A list that draws only the rows on screen (plus a few), so 10,000 rows cost as much as 30.
 * Keyboard: focus the list, arrows/PageUp/PageDown/Home/End move, Enter activates.
 */
export function VirtualList({ count, rowHeight, height, row, onRange, onActivate, label, header }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [active, setActive] = useState(-1);
  const overscan = 8;
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((top + height) / rowHeight) + overscan);
  useEffect(() => {
    if (count > 0) onRange?.(first, last);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [first, last, count]);
  const moveTo = (i: number) => {
    const n = Math.max(0, Math.min(count - 1, i));
    setActive(n);
    const el = box.current;
    if (!el) return;
    if (n * rowHeight < el.scrollTop) el.scrollTop = n * rowHeight;
    else if ((n + 1) * rowHeight > el.scrollTop + height) el.scrollTop = (n + 1) * rowHeight - height;
  };
  const onKey = (e: KeyboardEvent) => {
    const page = Math.floor(height / rowHeight);
    const keys: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (e.key in keys) moveTo(Math.max(active, 0) + keys[e.key]);
    else if (e.key === 'Home') moveTo(0);
    else if (e.key === 'End') moveTo(count - 1);
    else if (e.key === 'Enter' && active >= 0) onActivate?.(active);
    else return;
    e.preventDefault();
  };
  const rows = [];
  for (let i = first; i <= last; i++)
    rows.push(
      <div
        key={i}
        class={'vrow' + (i === active ? ' active' : '')}
        role="row"
        aria-rowindex={i + 1}
        style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}
        onClick={() => setActive(i)}
        onDblClick={() => onActivate?.(i)}
      >
        {row(i, i === active)}
      </div>,
    );
  return (
    <div class="vlist-wrap">
      {header && (
        <div class="vhead" role="row">
          {header}
        </div>
      )}
      <div
        ref={box}
        class="vlist"
        role="grid"
        aria-label={label}
        aria-rowcount={count}
        tabIndex={0}
        style={{ height: `${height}px` }}
        onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}
        onKeyDown={onKey}
      >
        <div style={{ height: `${count * rowHeight}px`, position: 'relative' }}>{rows}</div>
      </div>
    </div>
  );
}
