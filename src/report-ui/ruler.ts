/** Time-ruler ticks: a 1-2-5 step near the wanted pixel spacing, labelled in a unit that fits it. */

export interface Tick {
  readonly time: number;
  readonly label: string;
}

const UNITS: readonly [number, string][] = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
  [1, 'ns'],
];

export function niceStep(rawNs: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(rawNs, 1e-3)));
  for (const m of [1, 2, 5, 10]) if (m * power >= rawNs) return Math.max(1, m * power);
  return 10 * power;
}

export function computeTicks(viewStart: number, viewEnd: number, widthPx: number, spacingPx = 110): Tick[] {
  if (!(viewEnd > viewStart) || widthPx <= 0) return [];
  const step = niceStep(((viewEnd - viewStart) / widthPx) * spacingPx);
  // The unit follows the magnitude of the times shown (29.90 ms, not 29900 µs); the decimals
  // follow the step so neighbouring labels always differ.
  const magnitude = Math.max(Math.abs(viewStart), Math.abs(viewEnd), step);
  const [unit, name] = UNITS.find(([u]) => magnitude >= u) ?? UNITS[UNITS.length - 1];
  const decimals = Math.min(9, Math.max(0, Math.ceil(-Math.log10(step / unit) - 1e-9)));
  const ticks: Tick[] = [];
  for (let t = Math.ceil(viewStart / step) * step; t <= viewEnd; t += step) {
    ticks.push({ time: t, label: `${(t / unit).toFixed(decimals)} ${name}` });
    if (ticks.length > 200) break;
  }
  return ticks;
}
