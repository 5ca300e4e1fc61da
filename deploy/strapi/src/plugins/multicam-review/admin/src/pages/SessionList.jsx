import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  Box,
  Flex,
  SingleSelect,
  SingleSelectOption,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Layouts, Page } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../pluginId.js';
import { percent } from '../lib/format.mjs';
import { problemText } from '../lib/summary.mjs';
import { useReviewApi } from '../lib/useReviewApi.js';

/** The lowest confidence of the non-master cameras: the session's headline figure. */
function lowest(result) {
  const pct = Object.entries(result?.confidencePct || {}).filter(([label]) => label !== result?.masterCamera);
  return pct.length ? Math.min(...pct.map(([, v]) => v)) : null;
}

export function SessionList() {
  const api = useReviewApi();
  const [state, setState] = useState('needs-review');
  const [rows, setRows] = useState(null);
  const [problem, setProblem] = useState(null);

  useEffect(() => {
    setRows(null);
    api.sessions(state).then(setRows, (err) => setProblem(problemText(err)));
  }, [api, state]);

  if (problem) return <Page.Error>{problem}</Page.Error>;
  return (
    <Page.Main>
      <Page.Title>Sync review</Page.Title>
      <Layouts.Header
        title="Sync review"
        subtitle="Sessions whose camera offsets wait for an operator. Open one to check picture and sound in sync."
      />
      <Layouts.Content>
        <Flex gap={4} paddingBottom={4}>
          <Box width="16rem">
            <SingleSelect aria-label="Sessions shown" value={state} onChange={setState}>
              <SingleSelectOption value="needs-review">Needs review</SingleSelectOption>
              <SingleSelectOption value="ready">Approved (ready)</SingleSelectOption>
              <SingleSelectOption value="all">All sessions</SingleSelectOption>
            </SingleSelect>
          </Box>
        </Flex>
        {rows === null ? (
          <Page.Loading />
        ) : rows.length === 0 ? (
          <Typography data-testid="mc-list-empty">No session here.</Typography>
        ) : (
          <Table colCount={5} rowCount={rows.length + 1} data-testid="mc-session-list">
            <Thead>
              <Tr>
                <Th>
                  <Typography variant="sigma">Session</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Date</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">State</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Sync confidence</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">Review</Typography>
                </Th>
              </Tr>
            </Thead>
            <Tbody>
              {rows.map((row) => (
                <Tr key={row.sessionId}>
                  <Td>
                    <Typography fontWeight="bold">{row.title}</Typography>
                  </Td>
                  <Td>
                    <Typography>{row.date}</Typography>
                  </Td>
                  <Td>
                    <Typography>{row.state}</Typography>
                  </Td>
                  <Td>
                    <Typography>{row.syncResult ? percent(lowest(row.syncResult)) : '—'}</Typography>
                  </Td>
                  <Td>
                    <Link to={`/plugins/${PLUGIN_ID}/sessions/${row.sessionId}`}>
                      {row.syncResult?.operatorStatus === 'pending' ? 'Review sync' : 'Open'}
                    </Link>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
      </Layouts.Content>
    </Page.Main>
  );
}
