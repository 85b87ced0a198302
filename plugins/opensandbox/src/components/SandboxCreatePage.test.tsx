import React from 'react';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { createFakeApi, makeSandbox } from '../testUtils';
import { SandboxCreatePage, buildCreateRequest, DEFAULT_FORM_VALUES } from './SandboxCreatePage';
import { splitCommand } from '../lib/parse';

async function render(api: ReturnType<typeof createFakeApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[opensandboxApiRef, api]]}>
      <Routes>
        <Route path="/opensandbox/create" element={<SandboxCreatePage />} />
        <Route path="/opensandbox/:sandboxId" element={<div>detail page</div>} />
      </Routes>
    </TestApiProvider>,
    { mountedRoutes: { '/opensandbox': rootRouteRef }, routeEntries: ['/opensandbox/create'] },
  );
}

function type(label: string | RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('SandboxCreatePage', () => {
  it('shows validation errors next to the fields without calling the API', async () => {
    const api = createFakeApi();
    await render(api);
    type(/Image URI/, '');
    type('Timeout (minutes)', '0.5');
    type('CPU', 'lots');
    type('Environment variables', '1BAD=x\nnoequals');
    type('Metadata', 'opensandbox.io/id=x');
    type('Owning team', 'user:default/jane');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));

    expect(await screen.findByText('is required')).toBeInTheDocument(); // image.uri
    expect(screen.getByText('is required with an image')).toBeInTheDocument(); // entrypoint
    expect(screen.getByText('must be at least 60 seconds')).toBeInTheDocument();
    expect(screen.getByText('must be a quantity such as "500m", "1", "512Mi" or "2Gi"')).toBeInTheDocument();
    expect(screen.getByText('line 2: expected KEY=VALUE; 1BAD: name must match [A-Za-z_][A-Za-z0-9_]*')).toBeInTheDocument();
    expect(screen.getByText('opensandbox.io/id: keys with the opensandbox.io/ prefix are reserved')).toBeInTheDocument();
    expect(screen.getByText('must be a group entity ref such as group:default/team-a')).toBeInTheDocument();
    expect(api.createSandbox).not.toHaveBeenCalled();
  });

  it('sends the exact body and navigates to the new sandbox', async () => {
    const api = createFakeApi();
    let resolve: (v: any) => void = () => {};
    api.createSandbox.mockReturnValue(new Promise(r => (resolve = r)));
    await render(api);
    type(/Image URI/, ' python:3.11-slim ');
    type(/Entrypoint/, `python -c 'print("hi there")' --flag`);
    type('CPU', '1');
    type('Memory', '2Gi');
    type('Timeout (minutes)', '90');
    type('Environment variables', 'LOG_LEVEL=info\n\nGREETING=hello world');
    type('Metadata', 'name=demo-api\nproject=payments');
    type('Owning team', 'group:default/team-a');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));

    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox).toHaveBeenCalledWith({
      image: { uri: 'python:3.11-slim' },
      entrypoint: ['python', '-c', 'print("hi there")', '--flag'],
      timeout: 5400,
      resourceLimits: { cpu: '1', memory: '2Gi' },
      env: { LOG_LEVEL: 'info', GREETING: 'hello world' },
      metadata: { name: 'demo-api', project: 'payments' },
      team: 'group:default/team-a',
    });
    expect(screen.getByTestId('create-progress')).toHaveTextContent('Creating the sandbox');
    expect(screen.getByRole('button', { name: 'Create' })).toBeDisabled();
    resolve(makeSandbox({ id: 'new-id' }));
    expect(await screen.findByText('detail page')).toBeInTheDocument();
  });

  it('sends timeout null for no expiration and shows server errors in an alert', async () => {
    const api = createFakeApi();
    api.createSandbox.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({ error: { name: 'InputError', message: 'timeout must be at most 86400 seconds' }, response: { statusCode: 400 } }),
          { status: 400, statusText: 'Bad Request', headers: { 'Content-Type': 'application/json' } },
        ),
      ),
    );
    await render(api);
    type(/Image URI/, 'ubuntu:24.04');
    type(/Entrypoint/, 'sleep infinity');
    fireEvent.click(screen.getByLabelText('No expiration (manual cleanup)'));
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByTestId('create-server-error')).toHaveTextContent(
      'timeout must be at most 86400 seconds (HTTP 400)',
    );
    expect(api.createSandbox).toHaveBeenCalledWith({
      image: { uri: 'ubuntu:24.04' },
      entrypoint: ['sleep', 'infinity'],
      timeout: null,
      resourceLimits: { cpu: '500m', memory: '512Mi' },
    });
    expect(screen.getByRole('button', { name: 'Create' })).toBeEnabled();
  });
});

describe('buildCreateRequest', () => {
  it('reports an unterminated quote in the entrypoint', () => {
    const { errors } = buildCreateRequest({ ...DEFAULT_FORM_VALUES, imageUri: 'x', entrypoint: `echo 'oops` });
    expect(errors.entrypoint).toEqual([`has an unterminated ' quote`, 'is required with an image']);
  });
});

describe('splitCommand', () => {
  it('splits like a shell', () => {
    expect(splitCommand(`a "b c" 'd "e"' f\\ g ""`).args).toEqual(['a', 'b c', 'd "e"', 'f g', '']);
  });
});
