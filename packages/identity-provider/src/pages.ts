import { DemoAccount } from './accounts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }
  main { max-width: 420px; margin: 64px auto; background: #fff; padding: 32px; border-radius: 8px;
         box-shadow: 0 1px 4px rgba(0,0,0,.15); }
  h1 { font-size: 22px; margin: 0 0 8px; }
  label { display: block; margin: 16px 0 4px; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: 8px; font-size: 16px; }
  button { margin-top: 20px; padding: 10px 16px; font-size: 16px; cursor: pointer; }
  .error { color: #b00020; margin-top: 12px; }
  .dev { background: #fff4e5; border: 1px solid #ffb74d; padding: 8px 12px; font-size: 14px; margin-top: 16px; }
  code { font-size: 13px; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

/** The login form of an interaction (DEVELOPMENT ONLY: lists the demo accounts). */
export function renderLogin(input: {
  uid: string;
  clientName: string;
  accounts: readonly DemoAccount[];
  prompt: string;
  error?: string;
  username?: string;
}): string {
  const uid = encodeURIComponent(input.uid);
  const consentNote =
    input.prompt === 'consent'
      ? `<p class="error">${escapeHtml(
          input.clientName,
        )} asks for consent, which this development provider grants only to the Backstage client.</p>`
      : '';
  return page(
    'Sign in - OpenSandbox demo identity provider',
    `<h1>Sign in</h1>
<p>to <strong>${escapeHtml(
      input.clientName,
    )}</strong> with the OpenSandbox demo identity provider.</p>
${consentNote}
<form method="post" action="/interaction/${uid}/login" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" value="${escapeHtml(
    input.username ?? '',
  )}" autofocus required>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  ${
    input.error
      ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>`
      : ''
  }
  <button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>
<p class="dev">Development only. Demo accounts: ${input.accounts
      .map(a => `<code>${escapeHtml(a.username)}</code>`)
      .join(
        ', ',
      )}; all share the demo password documented in <code>docs/auth.md</code>.</p>`,
  );
}

export function renderError(error: string, description: string): string {
  return page(
    'Sign-in error - OpenSandbox demo identity provider',
    `<h1>Sign-in error</h1><p role="alert"><strong>${escapeHtml(
      error,
    )}</strong></p><p>${escapeHtml(description)}</p>`,
  );
}
