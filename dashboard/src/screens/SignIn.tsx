import { type FormEvent, useState } from 'react';
import { type Trouble, api, ask, session } from '../api';
import { localMidnight } from '../format';
import { Field, TroubleMessage } from '../ui';

const ROLE_ADMIN = 1;

/** An admin's username and password; a customer's account is refused, and its token dropped. */
export function SignIn({ notice, onSignedIn }: { notice: string | undefined; onSignedIn: (currency: string) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [trouble, setTrouble] = useState<Trouble>();
  const [busy, setBusy] = useState(false);

  async function signIn(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setTrouble(undefined);
    const login = await ask(api.POST('/customers/login', { body: { username, password } }), { signingIn: true });
    if (!login.ok) {
      setBusy(false);
      setTrouble(login.trouble);
      return;
    }
    session.start(login.data.auth_token);
    const me = await ask(api.GET('/customers/me'), { signingIn: true });
    if (me.ok && me.data.role_id === ROLE_ADMIN) {
      const summary = await ask(api.GET('/reports/summary', { params: { query: { day_start: localMidnight() } } }));
      setBusy(false);
      onSignedIn(summary.ok ? summary.data.currency : 'USD');
      return;
    }
    session.end();
    setBusy(false);
    setTrouble(
      me.ok
        ? { status: 403, code: 'FORBIDDEN', detail: 'This account is a customer account: only admins may use the dashboard.', fields: {} }
        : me.trouble,
    );
  }

  return (
    <main className="sign-in" id="main">
      <h1>Shop admin</h1>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={signIn} noValidate>
        <Field label="Username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} error={trouble?.fields.username} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={trouble?.fields.password} />
        {trouble && <TroubleMessage trouble={trouble} />}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
