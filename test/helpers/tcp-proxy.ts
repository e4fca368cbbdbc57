// A TCP forwarder between the RP and a real service, so a test can take the service away from this RP alone (as a
// restart would: every connection dropped, new ones refused) without touching the shared server other test files
// use at the same time. The bench's forwarder (scripts/bench/tcp-forwarder.ts) is the one implementation.
export { startTcpForwarder as startTcpProxy, type TcpForwarder as TcpProxy } from '../../scripts/bench/tcp-forwarder.js'
