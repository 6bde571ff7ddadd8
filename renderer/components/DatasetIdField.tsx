// The dataset id every nnU-Net step asks for (DatasetNNN / TaskNNN): one field, one rule.
interface Props {
  id: string
  value: number | null
  onChange: (value: number | null) => void
  testId?: string
}

export function DatasetIdField({ id, value, onChange, testId }: Props) {
  return (
    <div className="field">
      <label htmlFor={id}>Dataset id</label>
      <input id={id} type="number" min={1} max={999} value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))} data-testid={testId} />
    </div>
  )
}
