package testutil

import (
	"fmt"
	"strings"
)

// WatchList returns n watch-words of the kind a launch config holds:
// handles, product and competitor names, risky words and phrases in French
// and English.
func WatchList(n int) []string {
	base := strings.Fields(`@lumio @lumio_fr @lumio_support @lumio_help @lumiostatus lumio halo #halogate #lumiohalo #lumio
		remboursement rembours* refund* brûlant surchauffe overheat* recall rappel arnaque scam giveaway concours
		boîtier case déconnexion disconnect* problème bug firmware garantie warranty plainte avocat lawyer
		dangereux dangerous fire feu explos* brûlure burn* fondu melted fumée smoke odeur smell batterie battery
		gonflé swollen danger incendie chaud hot chauffe heating défaut defect defective défectueux panne broken
		cassé cassés crack* fissure retour return* échange exchange sav support service client customer
		annul* cancel* précommande preorder* livraison shipping delivery retard delay* late colis package
		vexa sonik nordwave kiro airpods galaxy pixel sony bose jabra beats sennheiser nothing
		honte shame scandale scandal mensonge lie lying liar menteur fake faux contrefaçon counterfeit
		phishing hameçonnage virus malware hack* piraté pirate leak* fuite données data privacy confidentialité
		boycott boycotte unfollow désabonne* ratio cancelled cancelmatters pétition petition
		dgccrf ufc quechoisir consumer ftc ce cnil rgpd gdpr tribunal court procès lawsuit plainte
		injoignable unreachable ignore* silence répondez answer réponse response honteux disgusting
		remboursez inacceptable unacceptable inadmissible dégoûté disgusted furieux furious angry colère
		écouteur écouteurs earbud earbuds buds insider beta bêta lot batch série serial numéro
		mise-à-jour update patch correctif fix hotfix rollback
		keynote live stream replay presentation présentation démo demo maya théo`)
	phrases := []string{
		"ne marche pas", "marche plus", "doesn't work", "stopped working", "not working", "ça chauffe",
		"class action", "action collective", "service client", "customer service", "lumio halo", "halo pro",
		"mise à jour", "firmware 1.2", "rappel produit", "product recall", "je veux être remboursé",
		"want a refund", "money back", "fire hazard", "risque d'incendie", "hand warmer", "chauffe-mains",
		"plus jamais", "never again", "ne répond pas", "no answer", "pas de réponse", "lumio support",
	}
	out := append(base, phrases...)
	if len(out) < n {
		panic(fmt.Sprintf("watchList: only %d entries", len(out)))
	}
	return out[:n]
}
