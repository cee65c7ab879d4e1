/**
 * The tunnel gateway for Node: WebSocket in, TCP/TLS to the RTMP server out (DESIGN.md, "The
 * tunnel wire protocol").
 */
export { createGateway, type Gateway, type GatewayEvent, type GatewayOptions, type GatewayStats } from './gateway.js';
export { Allowlist, AllowlistError, type AllowPredicate, type AllowRule, type AllowVerdict } from './allowlist.js';
export { isPublicAddress } from './address-policy.js';
