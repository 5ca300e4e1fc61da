import { useEffect, useRef } from 'react';
import { clipTestId } from '../lib/lanes.mjs';
import { columns } from '../lib/peaks.mjs';

const HEIGHT = 64;

/** One camera's waveform in the window [startMs, endMs] of the master timeline. */
export function WaveCanvas({ label, wave, camera, offsetMs, startMs, endMs, width = 960, color = '#4945ff' }) {
  const ref = useRef(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const g = canvas.getContext('2d');
    g.clearRect(0, 0, width, HEIGHT);
    g.fillStyle = '#f6f6f9';
    g.fillRect(0, 0, width, HEIGHT);
    let drawn = 0;
    if (wave && offsetMs !== null && offsetMs !== undefined) {
      const cols = columns(wave, camera, offsetMs, startMs, endMs, width);
      g.fillStyle = color;
      cols.forEach((c, x) => {
        if (!c) return;
        const top = ((1 - c[1]) / 2) * HEIGHT;
        const bottom = ((1 - c[0]) / 2) * HEIGHT;
        g.fillRect(x, top, 1, Math.max(1, bottom - top));
        drawn += 1;
      });
    }
    g.fillStyle = '#d02b20';
    g.fillRect(Math.floor(width / 2), 0, 1, HEIGHT);
    canvas.dataset.drawn = String(drawn);
  }, [wave, camera, offsetMs, startMs, endMs, width, color]);
  return (
    <canvas
      ref={ref}
      width={width}
      height={HEIGHT}
      style={{ width: '100%', height: HEIGHT, display: 'block' }}
      data-testid={`mc-wave-${clipTestId(label)}`}
      aria-label={`Waveform of ${label}`}
    />
  );
}
