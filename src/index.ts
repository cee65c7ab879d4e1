/**
 * live-pusher, platform-neutral entry: the RTMP publisher, the formats it carries, and the
 * status codes. Runs anywhere with a {@link Transport}; `live-pusher/node` adds TCP/TLS and files.
 */
export { StatusCode, LivePusherError, describeStatus } from './core/codes.js';
export { NetStatusMeter, type NetStatusInfo, type SendState } from './core/netstatus.js';
export { FormatError, TruncatedError } from './media/errors.js';
export { ByteReader, ByteWriter, BitReader, BitWriter } from './media/bytes/index.js';
export { encodeAmf0, decodeAmf0, Amf0EcmaArray, type Amf0Value, type Amf0Object } from './media/amf0.js';
export { FlvTagType, type FlvTag } from './media/flv/tag.js';
export { RtmpPublisher, type RtmpPublisherOptions, type PublisherCounters } from './rtmp/publisher.js';
export { parseRtmpUrl, type RtmpTarget } from './rtmp/url.js';
export type { Transport, TransportTarget, TransportHandlers, TransportClose } from './transport/transport.js';
export { TunnelTransport, type TunnelTransportOptions } from './transport/tunnel.js';
export { TunnelError } from './transport/tunnel-protocol.js';
