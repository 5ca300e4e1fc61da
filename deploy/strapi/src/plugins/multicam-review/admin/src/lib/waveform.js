import WaveformData from 'waveform-data';

/** The shape lib/peaks.mjs reads, from an audiowaveform JSON document. */
export function waveFromJson(json) {
  const data = WaveformData.create(json);
  const channel = data.channel(0);
  return {
    sampleRate: data.sample_rate,
    samplesPerPixel: data.scale,
    length: data.length,
    scale: data.bits === 8 ? 128 : 32768,
    min: (i) => channel.min_sample(i),
    max: (i) => channel.max_sample(i),
  };
}
