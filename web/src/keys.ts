/** Where an arrow/Home/End/Page key moves the focus in a grid of `count` items, `cols` wide, or
 * undefined when the key is not a movement key. */
export function gridKeyStep(
  key: string,
  index: number,
  cols: number,
  count: number,
  pageRows: number,
): number | undefined {
  const clamp = (i: number): number => Math.max(0, Math.min(count - 1, i));
  switch (key) {
    case 'ArrowRight':
      return clamp(index + 1);
    case 'ArrowLeft':
      return clamp(index - 1);
    case 'ArrowDown':
      return clamp(index + cols);
    case 'ArrowUp':
      return clamp(index - cols);
    case 'PageDown':
      return clamp(index + cols * Math.max(1, pageRows));
    case 'PageUp':
      return clamp(index - cols * Math.max(1, pageRows));
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}

/** Keys typed into a text box are never shortcuts. */
export const isTyping = (e: KeyboardEvent): boolean => {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
};
