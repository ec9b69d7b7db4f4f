package main

// The words of the demo city: what residents write, what advocates and
// officers answer. Arabic first, as most residents write; French beside it,
// as some residents and some staff write. "{place}" stands for where the
// problem is, as the resident says it; "{dept}" for a department's name.

// demoReport is one kind of report a resident makes.
type demoReport struct{ title, description string }

// demoReports are the reports of each category of the default directory,
// by language. A category an admin added later is reported by its name.
var demoReports = map[string]map[string][]demoReport{
	"roads": {
		"ar": {
			{"حفرة عميقة وسط الطريق", "حفرة كبيرة {place} تتجمّع فيها المياه كلّما نزل المطر، وسقط فيها صاحب درّاجة ناريّة الأسبوع الماضي."},
			{"رصيف مهشّم يعيق المارّة", "الرصيف {place} مهشّم منذ أشهر، وكبار السنّ والأمّهات بعربات الأطفال يضطرّون إلى المشي وسط الطريق."},
			{"بالوعة بلا غطاء", "غطاء البالوعة {place} مفقود والحفرة مفتوحة، وهي خطر حقيقيّ على الأطفال خاصّة في الليل."},
			{"أشغال متروكة دون إعادة التعبيد", "حُفرت الطريق {place} لمدّ قنوات ثمّ تُركت دون تعبيد منذ أكثر من شهر، والغبار يدخل البيوت."},
			{"مخفّض سرعة مهدّم", "مخفّض السرعة {place} تهدّم، والسيّارات تمرّ بسرعة كبيرة وقت خروج التلاميذ."},
		},
		"fr": {
			{"Nid-de-poule dangereux", "Un grand nid-de-poule {place} : plusieurs voitures y ont abîmé leurs pneus et un scooter y est tombé."},
			{"Trottoir effondré", "Le trottoir {place} s'est effondré ; les piétons doivent marcher sur la chaussée."},
			{"Chantier abandonné sans remise en état", "La chaussée a été ouverte {place} pour des travaux il y a un mois et n'a jamais été refaite."},
		},
	},
	"lighting": {
		"ar": {
			{"عمود إنارة معطّل", "عمود الإنارة {place} لا يشتغل منذ أسبوعين، والنهج مظلم تمامًا بعد المغرب."},
			{"نهج كامل بلا إنارة", "كلّ أعمدة الإنارة {place} مطفأة، والنساء يتجنّبن المرور ليلًا."},
			{"أسلاك كهربائيّة مكشوفة في عمود", "باب العمود الكهربائيّ {place} مفتوح والأسلاك ظاهرة، وهو خطر على الأطفال."},
			{"الإنارة تشتغل في النهار", "أضواء الشارع {place} تبقى مشتعلة طوال النهار، وهذا إهدار للطاقة."},
		},
		"fr": {
			{"Rue sans éclairage la nuit", "Tous les lampadaires {place} sont éteints depuis dix jours ; la rue est plongée dans le noir."},
			{"Lampadaire qui clignote", "Le lampadaire {place} clignote toute la nuit puis s'éteint."},
		},
	},
	"waste": {
		"ar": {
			{"حاويات فائضة منذ أيّام", "الحاويات {place} ممتلئة والفضلات على الأرض منذ أيّام، والروائح لا تُطاق مع الحرارة."},
			{"مصبّ عشوائيّ لفضلات البناء", "يُلقي بعضهم فضلات البناء {place} ليلًا، وصار المكان مصبًّا عشوائيًّا."},
			{"شاحنة الفضلات لا تمرّ", "لم تمرّ شاحنة رفع الفضلات {place} منذ أسبوع."},
			{"حرق الفضلات قرب المساكن", "تُحرق الفضلات {place} والدخان يدخل البيوت، وعندنا أطفال مصابون بالربو."},
		},
		"fr": {
			{"Dépôt sauvage de gravats", "Des gravats sont déversés chaque nuit {place} ; le tas grandit de semaine en semaine."},
			{"Conteneurs débordants", "Les conteneurs {place} débordent depuis plusieurs jours, les ordures jonchent le trottoir."},
		},
	},
	"water": {
		"ar": {
			{"انقطاع الماء دون إعلام", "الماء مقطوع {place} منذ ثلاثة أيّام دون أيّ إعلام مسبق، والعائلات تشتري الماء في القوارير."},
			{"تسرّب مياه في الشارع", "قناة مكسورة {place} والماء يسيل في الشارع منذ أيّام."},
			{"بالوعة تطفح بالمياه المستعملة", "مياه التطهير تطفح {place} والروائح كريهة، وكثر الناموس."},
			{"ضعف ضغط الماء في الطوابق العليا", "الماء لا يصل إلى الطوابق العليا {place} إلّا بعد منتصف الليل."},
		},
		"fr": {
			{"Égout bouché", "L'égout {place} est bouché et les eaux usées remontent dans la rue."},
			{"Coupure d'eau sans préavis", "Plus d'eau au robinet {place} depuis deux jours, sans aucune annonce."},
		},
	},
	"housing": {
		"ar": {
			{"بناية آيلة للسقوط", "البناية {place} فيها تشقّقات كبيرة وسقط جزء من الشرفة، والعائلات ما زالت تسكنها."},
			{"تسرّب مياه الأمطار إلى المساكن", "مياه الأمطار تدخل البيوت {place} من السطح المهترئ، والجدران كلّها رطوبة."},
			{"مسكن غير لائق لعائلة معوزة", "عائلة من خمسة أفراد تسكن في غرفة واحدة رطبة {place}، وتطلب إدراجها في برنامج السكن الاجتماعيّ."},
		},
		"fr": {
			{"Immeuble menaçant ruine", "L'immeuble {place} présente de grandes fissures ; un morceau de balcon est tombé."},
			{"Logement insalubre", "Une famille vit dans un logement sans aération ni sanitaires {place}."},
		},
	},
	"transport": {
		"ar": {
			{"غياب موقف حافلات", "لا يوجد موقف حافلات {place}، والركّاب ينتظرون تحت الشمس والمطر."},
			{"إشارة ضوئيّة معطّلة", "الإشارة الضوئيّة {place} معطّلة، والحوادث تتكرّر في المفترق."},
			{"سيّارات مركونة على الرصيف", "السيّارات تُركن على الرصيف {place} والمارّة يمشون وسط الطريق."},
			{"الحافلة لا تحترم التوقيت", "حافلة الخطّ المارّ {place} تتأخّر كلّ صباح، والتلاميذ يصلون متأخّرين."},
		},
		"fr": {
			{"Feu de circulation en panne", "Le feu {place} est en panne depuis une semaine ; le carrefour est dangereux."},
			{"Arrêt de bus sans abri", "L'arrêt de bus {place} n'a ni abri ni banc."},
		},
	},
	"green_spaces": {
		"ar": {
			{"حديقة عموميّة مهملة", "الحديقة {place} مهملة: العشب يابس والألعاب مكسورة."},
			{"أشجار تحتاج إلى تقليم", "أغصان الأشجار {place} تغطّي أعمدة الإنارة وتلامس الأسلاك."},
			{"غياب مساحة لعب للأطفال", "لا توجد أيّ مساحة لعب {place}، والأطفال يلعبون في الطريق."},
		},
		"fr": {
			{"Arbres non taillés", "Les arbres {place} n'ont pas été taillés depuis des années et cachent les lampadaires."},
			{"Jardin public à l'abandon", "Le jardin {place} est à l'abandon : bancs cassés, pelouse sèche."},
		},
	},
	"markets_prices": {
		"ar": {
			{"ارتفاع أسعار الخضر في السوق", "أسعار الخضر في السوق {place} ارتفعت كثيرًا، وبعض الباعة لا يعلّقون الأسعار."},
			{"فقدان موادّ أساسيّة", "الحليب والسكّر مفقودان في محلّات {place} منذ أيّام."},
			{"انتصاب فوضويّ يغلق الطريق", "الانتصاب الفوضويّ {place} يغلق الطريق أمام السيّارات والمارّة."},
		},
		"fr": {
			{"Prix non affichés au marché", "Au marché {place}, la plupart des étals n'affichent pas leurs prix."},
			{"Pénurie de lait", "Impossible de trouver du lait dans les épiceries {place} depuis une semaine."},
		},
	},
	"schools": {
		"ar": {
			{"سور المدرسة متصدّع", "سور المدرسة الابتدائيّة {place} متصدّع، ونخشى أن يسقط على التلاميذ."},
			{"أقسام بلا تدفئة", "الأقسام في المدرسة {place} باردة جدًّا والنوافذ مكسورة."},
			{"دورات المياه مغلقة في المدرسة", "دورات المياه في المدرسة {place} مغلقة منذ بداية السنة الدراسيّة."},
		},
		"fr": {
			{"Classe sans chauffage", "Les classes de l'école {place} n'ont pas de chauffage et plusieurs vitres sont cassées."},
			{"Toilettes de l'école fermées", "Les toilettes de l'école {place} sont fermées depuis la rentrée."},
		},
	},
	"health": {
		"ar": {
			{"المستوصف مغلق في المساء", "المستوصف {place} يغلق على الساعة الثانية ظهرًا، والمرضى لا يجدون أين يذهبون."},
			{"نقص الأدوية في المستوصف", "أدوية الأمراض المزمنة مفقودة في المستوصف {place} منذ شهر."},
			{"طبيب واحد لكامل الحيّ", "طبيب واحد في المستوصف {place} لآلاف المتساكنين، والانتظار يدوم ساعات."},
		},
		"fr": {
			{"Pas de médecin le samedi", "Le dispensaire {place} n'a aucun médecin le samedi."},
			{"Pénurie de médicaments au dispensaire", "Le dispensaire {place} n'a plus de médicaments pour les maladies chroniques."},
		},
	},
	"public_freedoms": {
		"ar": {
			{"منع اجتماع جمعيّة في دار الشباب", "رُفض طلبنا حجز قاعة في دار الشباب {place} لتنظيم لقاء مفتوح، دون أيّ تعليل كتابيّ."},
			{"رفض تسليم وصل إعلام بتظاهرة", "رفضت الإدارة {place} تسليمنا وصل الإعلام بتظاهرة ثقافيّة في الفضاء العامّ."},
			{"إزالة معلّقات جمعيّة", "أُزيلت معلّقات جمعيّتنا {place} في اليوم نفسه دون أيّ إعلام."},
		},
		"fr": {
			{"Refus d'autorisation de réunion", "On nous a refusé une salle {place} pour une réunion publique, sans motif écrit."},
			{"Accès refusé à la maison des jeunes", "Les jeunes du quartier n'ont plus accès à la maison des jeunes {place} le week-end."},
		},
	},
	"admin_services": {
		"ar": {
			{"تأخّر استخراج مضمون الولادة", "طلبت مضمون ولادة منذ أسبوعين في الدائرة البلديّة {place} ولم أتسلّمه بعد."},
			{"شبّاك مغلق دون إعلام", "شبّاك الحالة المدنيّة {place} مغلق منذ يومين دون أيّ إعلام."},
			{"رخصة بناء عالقة منذ أشهر", "ملفّ رخصة البناء الذي أودعته {place} عالق منذ أشهر دون أيّ جواب."},
		},
		"fr": {
			{"Guichet fermé sans préavis", "Le guichet de l'état civil {place} est fermé depuis deux jours sans annonce."},
			{"Attente interminable à l'état civil", "Trois heures d'attente {place} pour un simple extrait de naissance."},
		},
	},
}

// demoPlaces are where, in a resident's words, by language.
var demoPlaces = map[string][]string{
	"ar": {"في نهج الحرّيّة", "في نهج ابن خلدون", "أمام المدرسة الابتدائيّة", "قرب الجامع", "قرب السوق البلديّ",
		"في مدخل الحيّ", "أمام المستوصف", "قرب محطّة الحافلات", "في نهج الياسمين", "خلف دار الشباب",
		"في شارع الجمهوريّة", "في نهج القدس", "قرب الملعب", "في نهج المنجي سليم"},
	"fr": {"rue de la Liberté", "rue Ibn Khaldoun", "devant l'école primaire", "près de la mosquée",
		"près du marché municipal", "à l'entrée de la cité", "devant le dispensaire", "près de l'arrêt de bus",
		"rue des Jasmins", "derrière la maison des jeunes", "avenue de la République", "près du stade"},
}

// demoStreets are addresses a resident may add, by language.
var demoStreets = map[string][]string{
	"ar": {"نهج الحرّيّة", "نهج ابن خلدون", "نهج الياسمين", "شارع الجمهوريّة", "نهج القدس", "نهج المنجي سليم", "نهج الزيتون"},
	"fr": {"rue de la Liberté", "rue Ibn Khaldoun", "rue des Jasmins", "avenue de la République", "rue des Oliviers"},
}

// demoAfterwords are what some residents add at the end of a report.
var demoAfterwords = map[string][]string{
	"ar": {"راسلنا العمدة دون نتيجة.", "المشكل يتكرّر كلّ سنة في الفترة نفسها.", "نرجو التدخّل في أقرب الآجال.",
		"كلّ الجيران يشتكون من الشيء نفسه.", "هذا ثالث بلاغ عن المكان نفسه."},
	"fr": {"Merci d'intervenir rapidement.", "Le problème revient chaque année.", "Tous les voisins se plaignent de la même chose."},
}

// Staff's words, by language.
var (
	demoTriageNotes = map[string][]string{
		"ar": {"تمّ التثبّت من البلاغ وسيُحال على المصلحة المختصّة.", "بلاغ واضح يدعمه عدد من متساكني الحيّ."},
		"fr": {"Signalement vérifié, il sera transmis au service compétent.", "Signalement clair, soutenu par plusieurs voisins."},
	}
	demoRecategorised = map[string]string{
		"ar": "غيّرنا صنف البلاغ ليُحال على المصلحة المختصّة.",
		"fr": "Catégorie corrigée pour transmettre au service compétent.",
	}
	demoRejections = map[string][]string{
		"ar": {
			"المشكل يتعلّق بملك خاصّ ولا يدخل في صلاحيّات البلديّة؛ أرشدنا صاحب البلاغ إلى الإجراءات المناسبة.",
			"تعذّر تحديد المكان رغم محاولتنا الاتّصال بصاحب البلاغ؛ يمكن الإبلاغ من جديد بعنوان أدقّ.",
			"البلاغ لا يتضمّن مشكلًا محدّدًا يمكن متابعته لدى البلديّة.",
			"المسألة من مشمولات مؤسّسة عموميّة أخرى لا البلديّة؛ أرشدنا صاحب البلاغ إلى الجهة المختصّة.",
		},
		"fr": {
			"Hors compétence municipale : il s'agit d'une propriété privée. Nous avons orienté la personne vers la démarche adaptée.",
			"Lieu impossible à identifier malgré nos appels ; il est possible de signaler à nouveau avec une adresse plus précise.",
			"Le signalement ne décrit pas de problème précis que la municipalité puisse traiter.",
		},
	}
	// demoRejectionsByCategory are reasons only one category has: drinking
	// water is the national water company's, not the municipality's.
	demoRejectionsByCategory = map[string]map[string]string{
		"water": {
			"ar": "انقطاع الماء الصالح للشرب من مشمولات الشركة الوطنيّة لاستغلال وتوزيع المياه لا البلديّة؛ أرشدنا صاحب البلاغ إلى رقمها الأخضر.",
			"fr": "Les coupures d'eau potable relèvent de la société nationale des eaux, pas de la municipalité ; nous avons donné son numéro vert.",
		},
	}
	demoForwardNotes = map[string][]string{
		"ar": {"نرجو إعلامنا بتاريخ التدخّل المبرمج.", "الإشكال يتكرّر في هذا المكان، ونرجو حلًّا دائمًا."},
		"fr": {"Merci de nous indiquer la date d'intervention prévue.", "Le problème revient à cet endroit : une solution durable est souhaitée."},
	}
	demoUrgentNotes = map[string]string{
		"ar": "نطلب التدخّل في أقرب الآجال نظرًا لخطورة الوضع.",
		"fr": "Situation dangereuse : intervention rapide souhaitée.",
	}
	demoInternalNotes = map[string][]string{
		"ar": {"اتّصلت بصاحب البلاغ وأكّد العنوان والتفاصيل.", "زرت المكان صحبة عضو من جمعيّة الحيّ: الوضع كما وُصف.",
			"صاحب البلاغ يطلب ألّا يُذكر اسمه في أيّ مراسلة.", "تحدّثت هاتفيًّا مع رئيس المصلحة ووعد بالمتابعة."},
		"fr": {"Appelé la personne : adresse confirmée.", "Visite sur place avec l'association du quartier, la situation est bien celle décrite.",
			"Relancé le chef de service par téléphone."},
	}
	demoWaitingNotes = map[string]string{
		"ar": "في انتظار معلومات إضافيّة من صاحب البلاغ قبل الإحالة.",
		"fr": "En attente de précisions de la personne avant transmission.",
	}
	demoFollowNotes = map[string][]string{
		"ar": {"أحلنا الملفّ على إدارة {dept} ونتابعه معهم.", "راسلنا إدارة {dept} كتابيًّا، ونحن في انتظار ردّها."},
		"fr": {"Dossier transmis à la direction « {dept} », nous suivons.", "Courrier envoyé à la direction « {dept} », nous attendons sa réponse."},
	}
	demoOverdueNotes = map[string][]string{
		"ar": {"تجاوزت المصلحة الأجل المحدّد دون ردّ؛ راسلنا رئيس الدائرة البلديّة للتذكير.", "مرّ الأجل، وأدرجنا الملفّ في جدول لقائنا الشهريّ مع البلديّة."},
		"fr": {"Le délai est dépassé sans réponse : nous avons relancé la direction par écrit.", "Délai dépassé ; le dossier est à l'ordre du jour de notre réunion mensuelle avec la municipalité."},
	}
	demoThanks = map[string][]string{
		"ar": {"شكرًا للمصلحة على التدخّل، وشكرًا للمتساكنين على المتابعة."},
		"fr": {"Merci au service pour son intervention, et aux habitants pour leur suivi."},
	}
	demoAckNotes = map[string][]string{
		"ar": {"سُجّل الملفّ لدى المصلحة.", "سيعاين الفريق الفنّيّ المكان."},
		"fr": {"Dossier enregistré au service.", "L'équipe technique passera sur place."},
	}
	demoOfficerNotes = map[string][]string{
		"ar": {"عاين الفريق الفنّيّ المكان، والتدخّل مبرمج حسب مخطّط الأشغال.", "ننتظر توفّر المعدّات اللازمة للتدخّل.", "نعتذر عن التأخير بسبب كثرة التدخّلات هذا الشهر."},
		"fr": {"L'équipe technique est passée sur place ; l'intervention est programmée.", "Nous attendons la livraison du matériel nécessaire."},
	}
	demoPostponed = map[string]string{
		"ar": "نعتذر: أُجّل التدخّل لنقص في المعدّات، وهذا موعده الجديد.",
		"fr": "Intervention reportée faute de matériel ; voici la nouvelle date.",
	}
	demoReporterConfirms = map[string][]string{
		"ar": {"شكرًا، المشكل حُلّ فعلًا.", "تأكّدت بنفسي، الإصلاح جيّد.", ""},
		"fr": {"Merci, c'est réparé.", "Vérifié sur place, tout est en ordre.", ""},
	}
	demoAdvocateConfirms = map[string]string{
		"ar": "اتّصلنا بصاحب البلاغ وأكّد أنّ المشكل حُلّ.",
		"fr": "Joint par téléphone, l'habitant confirme que c'est résolu.",
	}
	demoReopenReasons = map[string][]string{
		"ar": {"المشكل عاد بعد أسبوع من الإصلاح.", "الإصلاح لم يكتمل، والوضع كما كان تقريبًا."},
		"fr": {"Le problème est revenu quelques jours après.", "La réparation est incomplète."},
	}
	demoAdvocateReopens = map[string]string{
		"ar": "زار صاحب البلاغ مقرّ البيت وأكّد أنّ الإصلاح لم يصمد.",
		"fr": "L'habitant est passé à la Maison : la réparation n'a pas tenu.",
	}
)

// demoAnswers and demoResolutions are what each category's department
// answers and reports done, by language; a category without its own gets
// the general one.
var (
	demoAnswers = map[string]map[string]string{
		"":                {"ar": "برمجنا التدخّل ضمن مخطّط عمل المصلحة.", "fr": "L'intervention est inscrite au programme du service."},
		"roads":           {"ar": "برمجنا إصلاح الطريق ضمن حملة الصيانة في الحيّ.", "fr": "La réfection est programmée dans la campagne d'entretien du quartier."},
		"lighting":        {"ar": "سيتمّ تعويض المصابيح المعطّبة وفحص الشبكة.", "fr": "Remplacement des lampes et contrôle du réseau programmés."},
		"waste":           {"ar": "أضفنا المكان إلى مسار شاحنة رفع الفضلات وبرمجنا حملة نظافة.", "fr": "Le lieu est ajouté à la tournée de collecte ; un nettoyage est prévu."},
		"water":           {"ar": "برمجنا إصلاح القناة وتسريح البالوعة.", "fr": "Réparation de la conduite et curage programmés."},
		"housing":         {"ar": "ستعاين لجنة فنّيّة البناية وتحدّد الإجراءات اللازمة.", "fr": "Une commission technique visitera l'immeuble."},
		"transport":       {"ar": "أحلنا الطلب على لجنة المرور وبرمجنا التدخّل.", "fr": "Demande transmise à la commission de circulation, intervention prévue."},
		"green_spaces":    {"ar": "برمجنا تقليم الأشجار وتهيئة الحديقة.", "fr": "Taille des arbres et remise en état du jardin programmées."},
		"markets_prices":  {"ar": "ستزور فرق المراقبة الاقتصاديّة السوق.", "fr": "Les contrôleurs économiques passeront au marché."},
		"schools":         {"ar": "برمجنا الإصلاحات بالتنسيق مع إدارة المدرسة.", "fr": "Travaux programmés avec la direction de l'école."},
		"health":          {"ar": "راسلنا الإدارة الجهويّة للصحّة لتعزيز الإطار الطبّيّ.", "fr": "Nous avons saisi la direction régionale de la santé."},
		"public_freedoms": {"ar": "راسلنا إدارة دار الشباب لتمكين الجمعيّة من القاعة.", "fr": "Nous avons écrit à la maison des jeunes pour que la salle soit accordée."},
		"admin_services":  {"ar": "دعّمنا الشبّاك بموظّف إضافيّ، والوثيقة في طور الإعداد.", "fr": "Un agent supplémentaire renforce le guichet ; le document est en préparation."},
	}
	demoResolutions = map[string]map[string]string{
		"":                {"ar": "تمّ التدخّل وحُلّ المشكل.", "fr": "Intervention réalisée, problème réglé."},
		"roads":           {"ar": "تمّ ردم الحفرة وإعادة تعبيد الجزء المتضرّر.", "fr": "Nid-de-poule rebouché et chaussée refaite."},
		"lighting":        {"ar": "عُوّضت المصابيح وأُصلح العمود، والإنارة تشتغل.", "fr": "Lampes remplacées, l'éclairage fonctionne."},
		"waste":           {"ar": "رُفعت الفضلات ونُظّف المكان، وأُضيفت حاوية.", "fr": "Déchets enlevés, un conteneur supplémentaire installé."},
		"water":           {"ar": "أُصلحت القناة وسُرّحت البالوعة.", "fr": "Conduite réparée, égout débouché."},
		"housing":         {"ar": "أُخلي الجزء الخطِر ودُعّمت البناية.", "fr": "Partie dangereuse sécurisée et étayée."},
		"transport":       {"ar": "أُصلحت الإشارة الضوئيّة ورُكّبت العلامات.", "fr": "Feu réparé, signalisation posée."},
		"green_spaces":    {"ar": "قُلّمت الأشجار ونُظّفت الحديقة.", "fr": "Arbres taillés, jardin nettoyé."},
		"markets_prices":  {"ar": "حُرّرت مخالفات، والأسعار معلّقة الآن.", "fr": "Contrôle effectué, les prix sont affichés."},
		"schools":         {"ar": "أُنجزت الأشغال بالتنسيق مع إدارة المدرسة.", "fr": "Travaux réalisés avec la direction de l'école."},
		"health":          {"ar": "مُدّد توقيت المستوصف وعُيّن طبيب إضافيّ.", "fr": "Horaires du dispensaire étendus, un médecin supplémentaire affecté."},
		"public_freedoms": {"ar": "مُكّنت الجمعيّة من القاعة في الموعد المطلوب.", "fr": "La salle a été accordée à la date demandée."},
		"admin_services":  {"ar": "تسلّم المواطن وثيقته، ونُظّم الانتظار أمام الشبّاك.", "fr": "Document remis ; l'attente au guichet est désormais organisée."},
	}
)

// The people of the demo city. Every name is made up: common first names
// with families named after plants, which nobody bears, and phone numbers
// in the +216 00 range, which no operator uses; emails are at example.org.
var (
	demoFirstNames = map[string][]string{
		"ar": {"فاطمة", "محمّد", "آمنة", "علي", "مريم", "يوسف", "خديجة", "حمزة", "سارة", "أنيس", "ليلى", "منصف",
			"زينب", "بلال", "نادية", "صابر", "هند", "رضا", "إيمان", "وليد"},
		"fr": {"Fatma", "Mohamed", "Amna", "Ali", "Meriem", "Youssef", "Khadija", "Hamza", "Sarra", "Anis", "Leila", "Moncef",
			"Zeineb", "Bilel", "Nadia", "Saber", "Hend", "Ridha", "Imen", "Walid"},
	}
	demoFamilies = map[string][]string{
		"ar": {"بن نخلة", "الزيتونيّ", "بن سنبلة", "القرنفليّ", "بن ريحانة", "اللوزيّ", "الرمّانيّ", "بن زعرورة",
			"الياسمينيّ", "بن حلفاء", "العنّابيّ", "بن خرّوبة", "الصفصافيّ", "بن شيحة", "الكرمويّ"},
		"fr": {"Ben Nakhla", "Zaytouni", "Ben Sounboula", "Karanfli", "Ben Rihana", "Louzi", "Remmani", "Ben Zaarour",
			"Yasmini", "Ben Halfa", "Annabi", "Ben Kharrouba", "Safsafi", "Ben Chiha", "Karmoui"},
	}
)
