from django.contrib import admin

from knowledge.models import Feedback, ReviewReminder, SpaceSubscription


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["page", "helpful", "user", "created_at"]
    list_filter = ["helpful"]
    search_fields = ["comment", "page__title"]
    raw_id_fields = ["page", "user"]


@admin.register(SpaceSubscription)
class SpaceSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "space", "created_at"]
    raw_id_fields = ["user", "space"]


@admin.register(ReviewReminder)
class ReviewReminderAdmin(admin.ModelAdmin):
    list_display = ["page", "review_date", "kind", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["page"]
