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

export function FaceCrop({ url, size, ...img }: Props) {
  return <img src={url} alt="" width={size} height={size} decoding="async" {...img} />;
}
