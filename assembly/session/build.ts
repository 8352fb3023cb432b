// Builds the session feature from its settings: the backend the `store` key names and the sealer the
// `crypto.format` key names.
import { Services } from "../core/services";
import { SessionBackend } from "./backend";
import { CookieBackend } from "./cookie-backend";
import { SessionFeature } from "./feature";
import { SessionSealer } from "./sealer";
import { ApacheSealer } from "./crypto-apache";
import { AeadSealer } from "./crypto-aead";
import { CryptoFormat, SessionSettings, StoreKind } from "./settings";
import { SharedBackend } from "./shared-backend";
import { EtcdBackend } from "./etcd-backend";

export function buildSessionFeature(settings: SessionSettings, services: Services): SessionFeature {
  let backend: SessionBackend;
  if (settings.store == StoreKind.Shared) backend = new SharedBackend(settings, services);
  else if (settings.store == StoreKind.Etcd) backend = new EtcdBackend(settings, services);
  else backend = new CookieBackend(settings);
  return new SessionFeature(settings, services, backend, buildSealer(settings));
}

export function buildSealer(settings: SessionSettings): SessionSealer | null {
  const crypto = settings.crypto;
  if (crypto == null || crypto.format == CryptoFormat.None) return null;
  if (crypto.format == CryptoFormat.Apache) return new ApacheSealer(crypto.passphrases, crypto.cipher);
  return new AeadSealer(crypto.passphrases, crypto.cipher);
}
