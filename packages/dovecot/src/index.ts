export { dovecotRevocationHandler, type Revocation } from './dovecot-revocation.ts';
export {
  startRelyingService,
  type RelyingServiceOptions,
  type RunningRelyingService,
} from './relying-service.ts';
export { parseConfigFile, readCompanionConfig, type CompanionConfig } from './config.ts';
