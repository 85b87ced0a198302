/** Text with line-break opportunities after `/ . - _ : =` (ids, image refs, label keys). */
export function BreakableText(props: { text: string }) {
  const parts = props.text.split(/(?<=[/._:=-])/);
  return (
    <>
      {parts.map((part, i) => (
        // eslint-disable-next-line react/no-array-index-key
        <span key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </span>
      ))}
    </>
  );
}
