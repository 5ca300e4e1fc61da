// Numbers as an operator reads them: a real minus sign, explicit plus, fixed decimals.
const MINUS = '\u2212';

export function signed(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const rounded = Number(value.toFixed(digits));
  if (rounded === 0) return (0).toFixed(digits);
  return `${rounded > 0 ? '+' : MINUS}${Math.abs(rounded).toFixed(digits)}`;
}

export function ms(value, digits = 1) {
  return `${signed(value, digits)} ms`;
}

export function percent(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return `${Math.floor(value)} %`;
}

/** "12:03.250" for a master-timeline position in ms (negative before the master starts). */
export function clock(msValue) {
  const sign = msValue < 0 ? MINUS : '';
  const total = Math.abs(msValue) / 1000;
  const minutes = Math.floor(total / 60);
  const seconds = total - minutes * 60;
  return `${sign}${minutes}:${seconds.toFixed(3).padStart(6, '0')}`;
}
