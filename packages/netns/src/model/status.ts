import type { PortProtocol } from '@volt/core';
import type { SandboxRecord } from './sandbox-record.js';

/** One active port forward, as read back from the kernel. */
export interface ActiveForward {
  readonly protocol: PortProtocol;
  readonly hostPort: number;
  readonly address: string;
  readonly containerPort: number;
}

/** What is in place for a bridge. */
export interface BridgeStatus {
  readonly bridge: string;
  readonly exists: boolean;
  readonly up: boolean;
  /** Addresses on the bridge in CIDR form. */
  readonly addresses: readonly string[];
  /** Interfaces attached to the bridge. */
  readonly members: readonly string[];
  readonly table: string;
  readonly tableExists: boolean;
  readonly forwards: readonly ActiveForward[];
  /** Direct sandboxes and containers with a lease on this bridge. */
  readonly sandboxes: readonly SandboxRecord[];
}

/** What is in place for a direct sandbox. */
export interface SandboxStatus {
  readonly name: string;
  /** The namespace exists under /run/netns. */
  readonly exists: boolean;
  readonly record: SandboxRecord | null;
  /** Interfaces inside the namespace with their state and addresses. */
  readonly interfaces: readonly {
    readonly name: string;
    readonly up: boolean;
    readonly addresses: readonly string[];
  }[];
}
