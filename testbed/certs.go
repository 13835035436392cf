package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// pki holds the file paths of all generated key material inside <dir>/pki.
type pki struct {
	dir          string
	caCert       string
	caKey        string
	servingCert  string
	servingKey   string
	adminCert    string
	adminKey     string
	viewerCert   string
	viewerKey    string
	saKey        string // RSA private key (PEM); the apiserver derives the public key from it
	saPub        string // RSA public key (PEM)
	caCertParsed *x509.Certificate
	caSigner     crypto.Signer
}

func newPKI(stateDir string) *pki {
	d := filepath.Join(stateDir, "pki")
	return &pki{
		dir:         d,
		caCert:      filepath.Join(d, "ca.crt"),
		caKey:       filepath.Join(d, "ca.key"),
		servingCert: filepath.Join(d, "apiserver.crt"),
		servingKey:  filepath.Join(d, "apiserver.key"),
		adminCert:   filepath.Join(d, "admin.crt"),
		adminKey:    filepath.Join(d, "admin.key"),
		viewerCert:  filepath.Join(d, "viewer.crt"),
		viewerKey:   filepath.Join(d, "viewer.key"),
		saKey:       filepath.Join(d, "sa.key"),
		saPub:       filepath.Join(d, "sa.pub"),
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// ensure creates any missing key material. Existing files are reused so that a
// restart on the same --dir keeps old kubeconfigs valid.
func (p *pki) ensure() error {
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return err
	}
	if !exists(p.caCert) || !exists(p.caKey) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		tmpl := &x509.Certificate{
			SerialNumber:          serial(),
			Subject:               pkix.Name{CommonName: "tideline-testbed-ca"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			BasicConstraintsValid: true,
			IsCA:                  true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			return err
		}
		if err := writeKey(p.caKey, key); err != nil {
			return err
		}
		if err := writeCert(p.caCert, der); err != nil {
			return err
		}
		// a new CA invalidates every leaf certificate
		for _, f := range []string{p.servingCert, p.adminCert, p.viewerCert} {
			_ = os.Remove(f)
		}
	}
	if err := p.loadCA(); err != nil {
		return err
	}
	if !exists(p.servingCert) || !exists(p.servingKey) {
		if err := p.leaf(p.servingCert, p.servingKey, pkix.Name{CommonName: "kube-apiserver"}, true); err != nil {
			return err
		}
	}
	if !exists(p.adminCert) || !exists(p.adminKey) {
		if err := p.leaf(p.adminCert, p.adminKey, pkix.Name{CommonName: "tideline-admin", Organization: []string{"system:masters"}}, false); err != nil {
			return err
		}
	}
	if !exists(p.viewerCert) || !exists(p.viewerKey) {
		if err := p.leaf(p.viewerCert, p.viewerKey, pkix.Name{CommonName: "tideline-viewer"}, false); err != nil {
			return err
		}
	}
	if !exists(p.saKey) || !exists(p.saPub) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return err
		}
		if err := writeKey(p.saKey, key); err != nil {
			return err
		}
		pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			return err
		}
		if err := os.WriteFile(p.saPub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600); err != nil {
			return err
		}
	}
	return nil
}

func (p *pki) loadCA() error {
	b, err := os.ReadFile(p.caCert)
	if err != nil {
		return err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return errors.New("bad CA certificate PEM")
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return err
	}
	kb, err := os.ReadFile(p.caKey)
	if err != nil {
		return err
	}
	kblk, _ := pem.Decode(kb)
	if kblk == nil {
		return errors.New("bad CA key PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(kblk.Bytes)
	if err != nil {
		return err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return errors.New("CA key is not a signer")
	}
	p.caCertParsed, p.caSigner = c, s
	return nil
}

func (p *pki) leaf(certPath, keyPath string, subj pkix.Name, server bool) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               subj,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(5 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.96.0.1")}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCertParsed, key.Public(), p.caSigner)
	if err != nil {
		return err
	}
	if err := writeKey(keyPath, key); err != nil {
		return err
	}
	return writeCert(certPath, der)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(err)
	}
	return n.Add(n, big.NewInt(1))
}

func writeKey(path string, key any) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

func writeCert(path string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// writeKubeconfig writes a self-contained kubeconfig (certificates embedded).
func writeKubeconfig(path, server, user string, caFile, certFile, keyFile string) error {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	crt, err := os.ReadFile(certFile)
	if err != nil {
		return err
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["testbed"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{ClientCertificateData: crt, ClientKeyData: key}
	ctxName := fmt.Sprintf("%s@testbed", user)
	cfg.Contexts[ctxName] = &clientcmdapi.Context{Cluster: "testbed", AuthInfo: user, Namespace: "default"}
	cfg.CurrentContext = ctxName
	tmp := path + ".tmp"
	if err := clientcmd.WriteToFile(*cfg, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
