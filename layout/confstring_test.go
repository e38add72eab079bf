package layout

import (
	"reflect"
	"testing"
)

// TestAllowedDNListLineRoundTrips writes DNs with every character libvirt's
// syntax treats specially and reads the line back with libvirt's parser:
// the list must hold exactly the DNs given.
func TestAllowedDNListLineRoundTrips(t *testing.T) {
	dns := []string{
		`C=GB,O=Acme\, Inc.,CN=c1`,
		`CN=has \"quotes\" inside`,
		`CN=it's`,
		`CN=both 'single' and "double" quotes`,
		`O=back\\slash,CN=x`,
		`C=GB,O=Acme\, Inc.,CN=c1`, // listed once
	}
	line, err := AllowedDNListLine(dns)
	if err != nil {
		t.Fatal(err)
	}
	conf, err := ParseLibvirtdConf("test.conf", []byte(line+"\n"))
	if err != nil {
		t.Fatalf("%s\n%v", line, err)
	}
	if want := dns[:5]; !reflect.DeepEqual(conf.TLSAllowedDNList, want) {
		t.Fatalf("read back %q\nwant      %q\nfrom %s", conf.TLSAllowedDNList, want, line)
	}
}

func TestConfStringRefusesTheInexpressible(t *testing.T) {
	if _, err := ConfString(`a"""b'`); err == nil {
		t.Fatal(`a value with """ and ' was accepted`)
	}
}
