// The handshake that opens every connection to a replication daemon (replicated/FORMAT.md,
// "Authentication"): a mutual challenge-response over the daemons' shared key. The side that
// connects (the initiator: a store's client, an operator's tool, a daemon reaching its partner)
// and the side that accepts (the responder: a daemon) each send a fresh random nonce, and each
// proves that it knows the key with an HMAC-SHA256 over a transcript that names its role and
// holds both nonces. A recorded handshake cannot be replayed (the other side's nonce is new),
// and a proof cannot be reflected (the role is in what is signed).
//
// This file is the pure part: message layouts, their decoders and the proofs. The decoders
// take any bytes and fail with kCorruption rather than read past what they were given.
// authenticate.h runs the exchange on a socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hastore/storage/status.h"

namespace hastore::replicated {

// The first 8 bytes of the initiator's and the responder's opening messages: what the
// handshake is and its version.
inline constexpr std::string_view kAuthMagic = "HSAUTH01";
inline constexpr size_t kAuthNonceBytes = 32;
inline constexpr size_t kAuthProofBytes = 32;  // HMAC-SHA256
// The shortest key a daemon, client or tool accepts: 256 bits, the size of the HMAC.
inline constexpr size_t kMinAuthKeyBytes = 32;
// Initiator -> responder: magic, initiator nonce.
inline constexpr size_t kAuthChallengeBytes = kAuthMagic.size() + kAuthNonceBytes;
// Responder -> initiator: magic, responder nonce, the responder's proof.
inline constexpr size_t kAuthResponseBytes = kAuthMagic.size() + kAuthNonceBytes + kAuthProofBytes;
// Initiator -> responder: the initiator's proof.
inline constexpr size_t kAuthFinishBytes = kAuthProofBytes;
// Responder -> initiator: one byte, kAuthAccepted; a refused initiator gets kAuthRefused and
// the connection is closed.
inline constexpr size_t kAuthVerdictBytes = 1;
inline constexpr uint8_t kAuthAccepted = 1;
inline constexpr uint8_t kAuthRefused = 0;
// The domain of the transcript each proof signs, so that no other use of the key can be
// mistaken for a handshake.
inline constexpr std::string_view kAuthTranscriptLabel = "hastore-rsd-auth-v1";
static_assert(kAuthMagic.size() == 8);
static_assert(kAuthChallengeBytes == 40 && kAuthResponseBytes == 72);

// Whose proof: the initiator's or the responder's; the byte is part of the transcript.
enum class AuthRole : uint8_t { kInitiator = 'I', kResponder = 'R' };

// HMAC-SHA256(key, label || role || initiator nonce || responder nonce): 32 bytes.
std::string AuthProof(std::string_view key, AuthRole role, std::string_view initiator_nonce, std::string_view responder_nonce);
// Whether `proof` is AuthProof(...) for these inputs, compared in constant time.
bool AuthProofMatches(std::string_view proof, std::string_view key, AuthRole role, std::string_view initiator_nonce,
                      std::string_view responder_nonce);

std::string EncodeAuthChallenge(std::string_view initiator_nonce);
// The initiator nonce; kCorruption for a wrong length or magic.
Result<std::string> DecodeAuthChallenge(std::string_view bytes);

struct AuthResponse {
  std::string responder_nonce;
  std::string proof;
};
std::string EncodeAuthResponse(const AuthResponse& response);
// kCorruption for a wrong length or magic; the proof is not checked here.
Result<AuthResponse> DecodeAuthResponse(std::string_view bytes);

}  // namespace hastore::replicated
