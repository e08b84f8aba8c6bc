// Agentless (SSH, SNMP) hosts: POST /api/hosts. The form shows the fields of the chosen kind only.
import { splitList, valueOf } from './common.js';
import { jsonForm } from './json-form.js';

export function startAgentlessForm(): void {
  const wired = jsonForm('agentless-form', (f) => {
    const body: Record<string, unknown> = {
      kind: valueOf(f, 'kind'),
      customerId: valueOf(f, 'customerId'),
      name: valueOf(f, 'name'),
      address: valueOf(f, 'address'),
      tags: splitList(valueOf(f, 'tags')),
    };
    if (valueOf(f, 'port')) body.port = Number(valueOf(f, 'port'));
    if (body.kind === 'ssh') {
      body.user = valueOf(f, 'user');
      // A pasted key is written into the customer's key folder; else a file already there is named.
      if (valueOf(f, 'privateKey').trim()) body.privateKey = valueOf(f, 'privateKey');
      else body.keyPath = valueOf(f, 'keyPath');
      if (valueOf(f, 'passphrase')) body.passphrase = valueOf(f, 'passphrase');
    } else body.community = valueOf(f, 'community');
    return body;
  });
  const kind = wired?.form.querySelector<HTMLSelectElement>('select[name="kind"]');
  if (!wired || !kind) return;
  const showKind = () => wired.form.querySelectorAll<HTMLElement>('label[data-kind]').forEach((l) => (l.hidden = l.getAttribute('data-kind') !== kind.value));
  kind.addEventListener('change', showKind);
  showKind();
}
