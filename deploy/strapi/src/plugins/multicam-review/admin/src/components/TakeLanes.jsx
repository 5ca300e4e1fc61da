import { Box, Flex, Typography } from '@strapi/design-system';
import { clipTestId, place } from '../lib/lanes.mjs';
import { clock } from '../lib/format.mjs';
import { cameraName } from '../lib/upload-plan.mjs';

const LANE_PX = 18;

/**
 * The session at a glance: one lane per camera (the recorder last), each take a bar
 * where the sync put it, the gaps between takes empty, the transport's position as a
 * line. A click on a lane moves the transport there.
 */
export function TakeLanes({ lanes, span, t, onSeek }) {
  const at = (e) => {
    const box = e.currentTarget.getBoundingClientRect();
    return span[0] + ((e.clientX - box.left) / box.width) * (span[1] - span[0]);
  };
  const [cursor] = place(t, t, span);
  return (
    <Flex direction="column" alignItems="stretch" gap={1} paddingTop={3} data-testid="mc-lanes">
      {lanes.map((lane) => (
        <Flex key={lane.camera} gap={2} alignItems="center" data-testid={`mc-lane-${lane.camera}`}>
          <Typography variant="pi" fontWeight="bold" style={{ width: '8rem', flexShrink: 0 }}>
            {cameraName(lane.camera)}
          </Typography>
          <Box
            background="neutral150"
            hasRadius
            style={{ position: 'relative', flex: 1, height: LANE_PX, cursor: 'pointer' }}
            onClick={(e) => onSeek(at(e))}
          >
            {lane.clips
              .filter((c) => c.placed)
              .map((c) => {
                const [left, width] = place(c.startMs, c.endMs, span);
                return (
                  <Box
                    key={c.label}
                    background={lane.isRecorder ? 'success500' : 'primary500'}
                    hasRadius
                    title={`${c.label}: ${clock(c.startMs)} – ${clock(c.endMs)}`}
                    style={{ position: 'absolute', top: 2, bottom: 2, left: `${left}%`, width: `${width}%` }}
                    data-testid={`mc-lane-clip-${clipTestId(c.label)}`}
                    data-start-ms={c.startMs.toFixed(1)}
                    data-end-ms={c.endMs.toFixed(1)}
                  />
                );
              })}
            <div
              style={{ position: 'absolute', top: 0, bottom: 0, left: `${cursor}%`, width: 1, background: '#d02b20' }}
            />
          </Box>
          <Typography variant="pi" textColor="neutral600" style={{ width: '9rem', flexShrink: 0 }}>
            {lane.clips.length > 1 ? `${lane.clips.length} takes` : '1 file'}
            {lane.clips.some((c) => !c.placed) ? `, ${lane.clips.filter((c) => !c.placed).length} not placed` : ''}
          </Typography>
        </Flex>
      ))}
    </Flex>
  );
}
