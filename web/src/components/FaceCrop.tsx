/** The one place where a face's crop becomes an `<img>`, in every view (person grid, people covers,
 * pickers, suggestions): how the API's crop URL is shown (a crop of its own today; a region of a
 * shared image if crops are stored together) changes here only. Square, `size` CSS pixels. */

interface Props {
  readonly url: string;
  readonly size: number;
  readonly class?: string;
  readonly loading?: 'lazy' | 'eager';
  /** Crops on screen `high`, the rows around them `low`. */
  readonly fetchpriority?: 'high' | 'low' | 'auto';
  readonly onLoad?: () => void;
  readonly onError?: () => void;
}

/** A crop URL of a crop sheet (the cloud: every face of a photo in one image, one crop wide) names
 * the face's rectangle in its fragment, `#xywh=x,y,w,h&sheet=W,H` (W3C media-fragment style; the
 * fragment is never sent, so the signed URL is unchanged). The sheet is scaled to the tile's width
 * and shifted to the face's row; a URL without it is the face alone. */
export function sheetStyle(url: string): Record<string, string> | undefined {
  const m = /#xywh=(\d+),(\d+),(\d+),(\d+)&sheet=(\d+),(\d+)$/.exec(url);
  if (!m) return undefined;
  const [y, h, sheetHeight] = [Number(m[2]), Number(m[4]), Number(m[6])];
  if (sheetHeight <= h) return undefined;
  return { objectFit: 'cover', objectPosition: `0 ${((100 * y) / (sheetHeight - h)).toFixed(3)}%` };
}

export function FaceCrop({ url, size, ...img }: Props) {
  return <img src={url} style={sheetStyle(url)} alt="" width={size} height={size} decoding="async" {...img} />;
}
