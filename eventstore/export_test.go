package eventstore

// UnwrapKey opens a sealed data key, for tests that look for it in a dump.
func UnwrapKey(mk *MasterKey, sealed []byte, subject, id string) ([]byte, error) {
	return mk.unwrapKey(sealed, subject, id)
}

// SealWithKey seals data for subject under key, for tests that store a
// record the way it was stored before data keys were sealed.
func SealWithKey(key []byte, subject string, data PersonalData) (nonce, ciphertext []byte, err error) {
	return seal(key, subject, data)
}
