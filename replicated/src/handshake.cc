#include "handshake.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

namespace hastore::replicated {

namespace {

Status BadMessage(std::string_view what, size_t want, std::string_view bytes) {
  if (bytes.size() != want) {
    return Status::Corruption("a handshake " + std::string(what) + " of " + std::to_string(bytes.size()) + " bytes (" +
                              std::to_string(want) + " expected)");
  }
  return Status::Corruption("a handshake " + std::string(what) + " without the magic " + std::string(kAuthMagic));
}

// The encoders' inputs are this side's own nonces and proofs: a wrong size is a bug here, never
// bad input, and a message of the wrong length would desynchronise the peer.
void RequireSize(std::string_view field, size_t want) {
  if (field.size() != want) std::abort();
}

bool Framed(std::string_view bytes, size_t want) {
  return bytes.size() == want && bytes.substr(0, kAuthMagic.size()) == kAuthMagic;
}

}  // namespace

std::string AuthProof(std::string_view key, AuthRole role, std::string_view initiator_nonce, std::string_view responder_nonce) {
  std::string transcript(kAuthTranscriptLabel);
  transcript.push_back(static_cast<char>(role));
  transcript.append(initiator_nonce);
  transcript.append(responder_nonce);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  const unsigned char* done = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                                   reinterpret_cast<const unsigned char*>(transcript.data()), transcript.size(), mac, &mac_len);
  // HMAC fails only without memory or without SHA-256: nothing a caller could go on from.
  if (done == nullptr || mac_len != kAuthProofBytes) std::abort();
  return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

bool AuthProofMatches(std::string_view proof, std::string_view key, AuthRole role, std::string_view initiator_nonce,
                      std::string_view responder_nonce) {
  if (proof.size() != kAuthProofBytes) return false;
  const std::string want = AuthProof(key, role, initiator_nonce, responder_nonce);
  return CRYPTO_memcmp(want.data(), proof.data(), kAuthProofBytes) == 0;
}

std::string EncodeAuthChallenge(std::string_view initiator_nonce) {
  RequireSize(initiator_nonce, kAuthNonceBytes);
  return std::string(kAuthMagic) + std::string(initiator_nonce);
}

Result<std::string> DecodeAuthChallenge(std::string_view bytes) {
  if (!Framed(bytes, kAuthChallengeBytes)) return BadMessage("challenge", kAuthChallengeBytes, bytes);
  return std::string(bytes.substr(kAuthMagic.size()));
}

std::string EncodeAuthResponse(const AuthResponse& response) {
  RequireSize(response.responder_nonce, kAuthNonceBytes);
  RequireSize(response.proof, kAuthProofBytes);
  return std::string(kAuthMagic) + response.responder_nonce + response.proof;
}

Result<AuthResponse> DecodeAuthResponse(std::string_view bytes) {
  if (!Framed(bytes, kAuthResponseBytes)) return BadMessage("response", kAuthResponseBytes, bytes);
  AuthResponse r;
  r.responder_nonce = std::string(bytes.substr(kAuthMagic.size(), kAuthNonceBytes));
  r.proof = std::string(bytes.substr(kAuthMagic.size() + kAuthNonceBytes, kAuthProofBytes));
  return r;
}

}  // namespace hastore::replicated
