package tlsprobe

import (
	"context"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"io"
)

// libvirt's remote protocol constants (remote_protocol.x, virnetprotocol.x).
const (
	remoteProgram          = 0x20008086
	remoteVersion          = 1
	remoteProcAuthList     = 66
	remoteProcConnectClose = 2
	rpcTypeCall            = 0
	rpcTypeReply           = 1
	rpcHeaderLen           = 24
)

// speaksLibvirtRPC sends one unencrypted libvirt RPC call (auth-list,
// allowed before authentication) and reports whether the peer answered
// with a libvirt RPC reply, which identifies a plain TCP (listen_tcp)
// listener.
func speaksLibvirtRPC(ctx context.Context, addr string) bool {
	c, _, err := dial(ctx, addr)
	if err != nil {
		return false
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	return rpcCall(c, remoteProcAuthList) == nil
}

// rpcCall sends one libvirt RPC call without arguments and reads the
// reply header (the body, if any, is left unread). It fails unless the
// peer answers with a libvirt reply to that call.
func rpcCall(c io.ReadWriter, proc uint32) error {
	var msg [4 + rpcHeaderLen]byte
	binary.BigEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.BigEndian.PutUint32(msg[4:], remoteProgram)
	binary.BigEndian.PutUint32(msg[8:], remoteVersion)
	binary.BigEndian.PutUint32(msg[12:], proc)
	binary.BigEndian.PutUint32(msg[16:], rpcTypeCall)
	binary.BigEndian.PutUint32(msg[20:], 1) // serial
	binary.BigEndian.PutUint32(msg[24:], 0) // status OK
	if _, err := c.Write(msg[:]); err != nil {
		return err
	}
	var reply [4 + rpcHeaderLen]byte
	if _, err := io.ReadFull(c, reply[:]); err != nil {
		return err
	}
	if binary.BigEndian.Uint32(reply[4:]) != remoteProgram || binary.BigEndian.Uint32(reply[16:]) != rpcTypeReply ||
		binary.BigEndian.Uint32(reply[20:]) != 1 {
		return errNotRPC
	}
	return nil
}

var errNotRPC = errors.New("not a libvirt RPC reply")

// rawIssuer returns the DER issuer of a DER certificate (nil when it does
// not parse).
func rawIssuer(der []byte) []byte {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil
	}
	return c.RawIssuer
}
