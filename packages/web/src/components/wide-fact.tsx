/** One fact of a `<dl className="facts">` across the whole width, left out when it has no text. */
export function WideFact({ label, value }: { label: string; value: string | null | undefined }) {
  if (!value) return null;
  return (
    <div className="wide">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
