// Passkeys through the browser's WebAuthn API (navigator.credentials). Tally's server speaks
// WebAuthn's JSON, binary values in unpadded base64url; the browser wants and gives
// ArrayBuffers. These functions convert both ways and nothing more.

function toBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function toText(buffer) {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function withIds(list) {
  return (list || []).map((credential) => ({ ...credential, id: toBytes(credential.id) }));
}

// The credential as WebAuthn's JSON, with `response` already converted.
function asJson(credential, response) {
  return JSON.stringify({
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response,
    extensions: credential.getClientExtensionResults(),
  });
}

export function passkeysSupported() {
  return typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
}

// options: the server's `{"publicKey": …}` for create(), as JSON. Answers the new credential
// as JSON.
export async function createPasskey(options) {
  const { publicKey } = JSON.parse(options);
  publicKey.challenge = toBytes(publicKey.challenge);
  publicKey.user.id = toBytes(publicKey.user.id);
  publicKey.excludeCredentials = withIds(publicKey.excludeCredentials);
  const credential = await navigator.credentials.create({ publicKey });
  const response = credential.response;
  return asJson(credential, {
    attestationObject: toText(response.attestationObject),
    clientDataJSON: toText(response.clientDataJSON),
    transports: response.getTransports ? response.getTransports() : [],
  });
}

// options: the server's `{"publicKey": …}` for get(), as JSON. Answers the assertion as JSON.
export async function getPasskey(options) {
  const { publicKey } = JSON.parse(options);
  publicKey.challenge = toBytes(publicKey.challenge);
  publicKey.allowCredentials = withIds(publicKey.allowCredentials);
  const credential = await navigator.credentials.get({ publicKey });
  const response = credential.response;
  return asJson(credential, {
    authenticatorData: toText(response.authenticatorData),
    clientDataJSON: toText(response.clientDataJSON),
    signature: toText(response.signature),
    userHandle: response.userHandle ? toText(response.userHandle) : null,
  });
}
